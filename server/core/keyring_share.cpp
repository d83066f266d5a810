#include "core/keyring_share.hpp"

#include <nlohmann/json.hpp>

#include "core/refusal.hpp"
#include "domain/json_read.hpp"
#include "domain/json_write.hpp"

namespace licensor::server {

std::string shared_keys_encode(const keys::shared_keys& keys) {
  return json_write(nlohmann::json{{"version", keys.version}, {"keyring", keys.keyring_token}, {"secrets", keys.wrapped_secrets}});
}

result<keys::shared_keys> shared_keys_decode(std::string_view document) {
  const auto json = json_read(document);
  try {
    if (!json.is_object()) return errc::malformed;
    keys::shared_keys keys;
    keys.version = json.at("version").get<std::uint64_t>();
    keys.keyring_token = json.at("keyring").get<std::string>();
    keys.wrapped_secrets = json.at("secrets").get<std::map<std::string, std::string>>();
    return keys;
  } catch (const nlohmann::json::exception&) {
    return errc::malformed;
  }
}

std::optional<keys::shared_keys> keyring_shared_get(const store::read_view& view) {
  const auto document = must(view.keyring_shared());
  if (!document) return std::nullopt;
  return must(shared_keys_decode(*document));
}

bool keyring_shared_publish(store::write_view& write, const keys::shared_keys& keys) {
  if (const auto stored = keyring_shared_get(write); stored && stored->version >= keys.version) return false;
  must(write.keyring_shared_set(shared_keys_encode(keys)));
  return true;
}

result<bool> keyring_shared_adopt(const store::read_view& view, const std::filesystem::path& key_dir) {
  std::optional<keys::shared_keys> stored;
  if (auto caught = refusal_caught([&] { stored = keyring_shared_get(view); }); !caught) return caught.error();
  if (!stored) return false;
  return keys::key_dir_adopt(key_dir, *stored);
}

}  // namespace licensor::server
