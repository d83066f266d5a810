#include "licensor/keyring_document.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "licensor/paserk.hpp"
#include "licensor/paseto.hpp"
#include "licensor/signed_document.hpp"

namespace licensor {
namespace {

using nlohmann::json;

std::string_view status_name(key_status status) {
  return status == key_status::active ? "active" : "retired";
}

result<keyring_entry> entry_parse(const json& item) {
  if (!item.is_object()) return errc::malformed;
  const auto kid = item.find("kid");
  const auto public_key = item.find("public");
  const auto status = item.find("status");
  const auto nbf = item.find("nbf");
  if (kid == item.end() || !kid->is_string() || public_key == item.end() ||
      !public_key->is_string() || status == item.end() || !status->is_string() ||
      nbf == item.end() || !nbf->is_string())
    return errc::malformed;
  auto key = paserk_public_parse(public_key->get_ref<const std::string&>());
  if (!key) return errc::malformed;
  keyring_entry entry;
  entry.public_key = *key;
  entry.kid = paserk_pid(*key);
  // The kid is derived, never trusted: a kid naming another key is a forged entry.
  if (entry.kid.value != kid->get_ref<const std::string&>()) return errc::malformed;
  const auto& status_text = status->get_ref<const std::string&>();
  if (status_text == "active") entry.status = key_status::active;
  else if (status_text == "retired") entry.status = key_status::retired;
  else return errc::malformed;
  auto not_before = rfc3339_parse(nbf->get_ref<const std::string&>());
  if (!not_before) return errc::malformed;
  entry.nbf = *not_before;
  return entry;
}

}  // namespace

const keyring_entry* keyring_document::find(const KeyId& kid) const noexcept {
  const auto it = std::find_if(keys.begin(), keys.end(), [&](const auto& e) { return e.kid == kid; });
  return it == keys.end() ? nullptr : &*it;
}

bool keyring_document::is_revoked(const KeyId& kid) const noexcept {
  return std::find(revoked.begin(), revoked.end(), kid) != revoked.end();
}

const keyring_entry* keyring_document::active() const noexcept {
  const keyring_entry* newest = nullptr;
  for (const auto& entry : keys)
    if (entry.status == key_status::active && !is_revoked(entry.kid) &&
        (newest == nullptr || entry.nbf >= newest->nbf))
      newest = &entry;
  return newest;
}

std::string keyring_to_json(const keyring_document& keyring) {
  json keys = json::array();
  for (const auto& entry : keyring.keys)
    keys.push_back({{"kid", entry.kid.value},
                    {"public", paserk_public(entry.public_key)},
                    {"status", status_name(entry.status)},
                    {"nbf", rfc3339_format(entry.nbf)}});
  json revoked = json::array();
  for (const auto& kid : keyring.revoked) revoked.push_back(kid.value);
  return json{{"version", keyring.version},
              {"iat", rfc3339_format(keyring.iat)},
              {"keys", keys},
              {"revoked", revoked}}
      .dump();
}

result<keyring_document> keyring_parse(std::string_view text) {
  const auto object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return errc::malformed;
  const auto version = object.find("version");
  const auto iat = object.find("iat");
  const auto keys = object.find("keys");
  const auto revoked = object.find("revoked");
  if (version == object.end() || !version->is_number_unsigned() || iat == object.end() ||
      !iat->is_string() || keys == object.end() || !keys->is_array() ||
      revoked == object.end() || !revoked->is_array())
    return errc::malformed;

  keyring_document keyring;
  keyring.version = version->get<std::uint64_t>();
  auto issued = rfc3339_parse(iat->get_ref<const std::string&>());
  if (!issued) return errc::malformed;
  keyring.iat = *issued;
  std::set<std::string> seen;
  for (const auto& item : *keys) {
    auto entry = entry_parse(item);
    if (!entry || !seen.insert(entry->kid.value).second) return errc::malformed;
    keyring.keys.push_back(std::move(*entry));
  }
  for (const auto& item : *revoked) {
    if (!item.is_string() || !paserk_pid_well_formed(item.get_ref<const std::string&>()))
      return errc::malformed;
    keyring.revoked.push_back(KeyId{item.get<std::string>()});
  }
  return keyring;
}

std::string keyring_sign(const keyring_document& keyring, const SecretKey& root) {
  return signed_document_sign(root, keyring_to_json(keyring), keyring_assertion);
}

result<keyring_document> keyring_verify(std::string_view token,
                                        std::span<const PublicKey> pinned_roots) {
  auto parsed = paseto_parse(token);
  if (!parsed) return parsed.error();
  auto kid = untrusted_footer_kid(parsed->untrusted_footer);
  if (!kid) return errc::keyring_bad_signature;
  const auto root = std::find_if(pinned_roots.begin(), pinned_roots.end(),
                                 [&](const PublicKey& key) { return paserk_pid(key) == *kid; });
  if (root == pinned_roots.end()) return errc::keyring_bad_signature;
  auto verified = paseto_check(std::move(*parsed), *root, keyring_assertion);
  if (!verified) return errc::keyring_bad_signature;
  return keyring_parse(verified->payload);
}

}  // namespace licensor
