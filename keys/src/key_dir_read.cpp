// The reads a server and the CLI make: nothing here needs root.secret or takes the lock.
#include "licensor/keys/file_io.hpp"
#include "licensor/keys/key_dir.hpp"
#include "secret_text.hpp"

namespace licensor::keys {

result<PublicKey> key_dir_root_public(const std::filesystem::path& dir) {
  auto text = file_read(key_dir_root_public_path(dir));
  if (!text) return text.error();
  return paserk_public_parse(line_trim(*text));
}

result<keyring_state> key_dir_keyring(const std::filesystem::path& dir) {
  auto root = key_dir_root_public(dir);
  if (!root) return root.error();
  auto text = file_read(key_dir_keyring_path(dir));
  if (!text) return text.error();
  const std::string token(line_trim(*text));
  auto keyring = keyring_verify(token, std::span<const PublicKey>(&*root, 1));
  if (!keyring) return keyring.error();
  return keyring_state{std::move(*keyring), token, *root};
}

result<std::uint64_t> key_dir_keyring_version(const std::filesystem::path& dir) {
  auto state = key_dir_keyring(dir);
  if (!state) return state.error();
  return state->keyring.version;
}

result<signer_state> key_dir_load_signer(const std::filesystem::path& dir,
                                         const key_dir_options& options) {
  auto state = key_dir_keyring(dir);
  if (!state) return state.error();
  const keyring_entry* active = state->keyring.active();
  if (active == nullptr) return errc::no_active_key;

  auto text = file_read(key_dir_signing_secret_path(dir, active->kid));
  if (!text) return text.error();
  auto key = secret_text_decode(*text, options.passphrase);
  secret_text_wipe(*text);
  if (!key) return key.error();
  // A file swapped under the kid's name must not sign in that kid's name.
  if (key->public_key() != active->public_key) return errc::malformed;

  signer_state signer;
  signer.active_kid = active->kid;  // copied before the keyring it points into moves
  signer.keyring = std::move(state->keyring);
  signer.keyring_token = std::move(state->keyring_token);
  signer.active_key = std::move(*key);
  signer.root_public = state->root_public;
  return signer;
}

result<shared_keys> key_dir_shared(const std::filesystem::path& dir) {
  auto state = key_dir_keyring(dir);
  if (!state) return state.error();
  shared_keys out{state->keyring.version, state->keyring_token, {}};
  for (const auto& entry : state->keyring.keys) {
    if (state->keyring.is_revoked(entry.kid)) continue;
    const auto path = key_dir_signing_secret_path(dir, entry.kid);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) continue;  // a retired key whose secret was pruned
    auto text = file_read(path);
    if (!text) return text.error();
    const auto form = secret_text_form(line_trim(*text));
    if (!form || *form != secret_form::wrapped) {
      secret_text_wipe(*text);
      return form ? result<shared_keys>(errc::forbidden) : result<shared_keys>(form.error());
    }
    out.wrapped_secrets.emplace(entry.kid.value, std::string(line_trim(*text)));
    secret_text_wipe(*text);
  }
  return out;
}

result<bool> key_dir_is_development(const std::filesystem::path& dir) {
  auto text = file_read(key_dir_root_secret_path(dir));
  if (!text) return text.error();
  auto form = secret_text_form(line_trim(*text));
  secret_text_wipe(*text);
  if (!form) return form.error();
  return *form == secret_form::unwrapped;
}

}  // namespace licensor::keys
