// The changes to a key directory: init, rotate, revoke. Each holds the directory lock and
// writes the keyring last (see the layout comment in key_dir.hpp).
#include <array>
#include <optional>
#include <span>
#include <system_error>

#include "key_dir_lock.hpp"
#include "licensor/keys/file_io.hpp"
#include "licensor/keys/key_dir.hpp"
#include "secret_text.hpp"

namespace licensor::keys {
namespace {

// What a change starts from: the checked keyring and the unwrapped root.
struct change_context {
  keyring_document keyring;
  SecretKey root;
  secret_form form = secret_form::wrapped;
};

result<change_context> change_begin(const std::filesystem::path& dir, const key_dir_options& options) {
  auto state = key_dir_keyring(dir);
  if (!state) return state.error();
  // A server's copy of the dir may leave the root out, as it should: say so, not "io_error".
  std::error_code ec;
  if (!std::filesystem::exists(key_dir_root_secret_path(dir), ec) && !ec) return errc::root_key_offline;
  auto text = file_read(key_dir_root_secret_path(dir));
  if (!text) return text.error();
  auto form = secret_text_form(line_trim(*text));
  auto root = secret_text_decode(*text, options.passphrase);
  secret_text_wipe(*text);
  if (!root) return root.error();
  // A root that is not the pinned one would sign keyrings no app accepts.
  if (root->public_key() != state->root_public) return errc::malformed;
  return change_context{std::move(state->keyring), std::move(*root), *form};
}

result<void> keyring_publish(const std::filesystem::path& dir, const keyring_document& keyring,
                             const SecretKey& root, file_overwrite overwrite) {
  return file_write_atomic(key_dir_keyring_path(dir), keyring_sign(keyring, root) + "\n",
                           file_access::world_readable, overwrite);
}

result<void> change_commit(const std::filesystem::path& dir, change_context& change, unix_seconds now) {
  change.keyring.version += 1;
  change.keyring.iat = now;
  return keyring_publish(dir, change.keyring, change.root, file_overwrite::replace);
}

result<keyring_entry> signing_key_create(const std::filesystem::path& dir, secret_form form,
                                         const key_dir_options& options, unix_seconds now) {
  const auto key = SecretKey::generate();
  const auto public_key = key.public_key();
  keyring_entry entry{paserk_pid(public_key), public_key, key_status::active, now};
  auto text = secret_text_encode(key, form, options.passphrase, options.limits);
  if (!text) return text.error();
  auto written = file_write_atomic(key_dir_signing_secret_path(dir, entry.kid), *text,
                                   file_access::owner_only, file_overwrite::refuse);
  secret_text_wipe(*text);
  if (!written) return written.error();
  return entry;
}

// Deletes every signing secret that is not a live (listed, unrevoked) key of `keyring`:
// revoked keys, keys of a replaced root, keys a crashed change wrote but never published.
result<void> signing_secrets_prune(const std::filesystem::path& dir, const keyring_document& keyring) {
  std::error_code ec;
  std::filesystem::directory_iterator it(key_dir_signing_path(dir), ec);
  if (ec) return errc::io_error;
  bool all_removed = true;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const auto& path = it->path();
    if (path.extension() != ".secret") continue;
    const KeyId kid{path.stem().string()};
    if (keyring.find(kid) != nullptr && !keyring.is_revoked(kid)) continue;
    std::error_code removed;
    std::filesystem::remove(path, removed);
    all_removed = all_removed && !removed;
  }
  if (ec || !all_removed) return errc::io_error;
  return {};
}

}  // namespace

result<bool> key_dir_adopt(const std::filesystem::path& dir, const shared_keys& shared) {
  auto root = key_dir_root_public(dir);
  if (!root) return root.error();
  auto keyring = keyring_verify(shared.keyring_token, std::span<const PublicKey>(&*root, 1));
  if (!keyring) return keyring.error();
  if (keyring->version != shared.version) return errc::malformed;
  auto lock = key_dir_lock::acquire(dir);
  if (!lock) return lock.error();
  std::error_code ec;
  if (std::filesystem::exists(key_dir_keyring_path(dir), ec)) {
    auto current = key_dir_keyring(dir);
    if (current && current->keyring.version >= keyring->version) return false;
  }
  if (auto made = directory_create_private(key_dir_signing_path(dir)); !made) return made.error();
  // Only kids the root signed name files here, so the store cannot choose a path.
  for (const auto& [kid, text] : shared.wrapped_secrets) {
    const KeyId id{kid};
    if (keyring->find(id) == nullptr || keyring->is_revoked(id)) return errc::malformed;
    const auto form = secret_text_form(text);
    if (!form || *form != secret_form::wrapped) return errc::malformed;
    const auto path = key_dir_signing_secret_path(dir, id);
    if (std::filesystem::exists(path, ec)) continue;
    if (auto written = file_write_atomic(path, text, file_access::owner_only, file_overwrite::refuse); !written)
      return written.error();
  }
  if (auto written = file_write_atomic(key_dir_keyring_path(dir), shared.keyring_token + "\n", file_access::world_readable,
                                       file_overwrite::replace);
      !written)
    return written.error();
  // A revoked key's secret goes here too, as on the server that revoked it.
  if (auto pruned = signing_secrets_prune(dir, *keyring); !pruned) return pruned.error();
  return true;
}

result<void> key_dir_init(const std::filesystem::path& dir, const key_dir_options& options,
                          unix_seconds now, bool force) {
  const auto form = options.development_unwrapped ? secret_form::unwrapped : secret_form::wrapped;
  if (form == secret_form::wrapped && options.passphrase.empty()) return errc::bad_request;
  if (auto made = directory_create_private(dir); !made) return made;
  if (auto made = directory_create_private(key_dir_signing_path(dir)); !made) return made;
  auto lock = key_dir_lock::acquire(dir);
  if (!lock) return lock.error();

  const std::array existing_files = {key_dir_root_public_path(dir), key_dir_root_secret_path(dir),
                                     key_dir_keyring_path(dir)};
  if (!force) {
    for (const auto& file : existing_files) {
      std::error_code ec;
      if (std::filesystem::exists(file, ec) || ec) return ec ? errc::io_error : errc::already_exists;
    }
  }
  const auto overwrite = force ? file_overwrite::replace : file_overwrite::refuse;

  const auto root = SecretKey::generate();
  auto root_text = secret_text_encode(root, form, options.passphrase, options.limits);
  if (!root_text) return root_text.error();
  auto written = file_write_atomic(key_dir_root_secret_path(dir), *root_text,
                                   file_access::owner_only, overwrite);
  secret_text_wipe(*root_text);
  if (!written) return written;
  written = file_write_atomic(key_dir_root_public_path(dir), paserk_public(root.public_key()) + "\n",
                              file_access::world_readable, overwrite);
  if (!written) return written;

  auto first = signing_key_create(dir, form, options, now);
  if (!first) return first.error();
  keyring_document keyring;
  keyring.version = 1;
  keyring.iat = now;
  keyring.keys.push_back(std::move(*first));
  written = keyring_publish(dir, keyring, root, overwrite);
  if (!written) return written;
  if (force) return signing_secrets_prune(dir, keyring);
  return {};
}

result<KeyId> key_dir_rotate(const std::filesystem::path& dir, const key_dir_options& options,
                             unix_seconds now, std::optional<std::uint64_t> from_version) {
  auto lock = key_dir_lock::acquire(dir);
  if (!lock) return lock.error();
  auto change = change_begin(dir, options);
  if (!change) return change.error();
  if (from_version && change->keyring.version != *from_version) return errc::conflict;

  auto entry = signing_key_create(dir, change->form, options, now);
  if (!entry) return entry.error();
  for (auto& existing : change->keyring.keys)
    if (existing.status == key_status::active) existing.status = key_status::retired;
  const KeyId kid = entry->kid;
  change->keyring.keys.push_back(std::move(*entry));
  if (auto committed = change_commit(dir, *change, now); !committed) return committed.error();
  return kid;
}

result<void> key_dir_revoke(const std::filesystem::path& dir, const key_dir_options& options,
                            const KeyId& kid, unix_seconds now) {
  auto lock = key_dir_lock::acquire(dir);
  if (!lock) return lock.error();
  auto change = change_begin(dir, options);
  if (!change) return change.error();

  auto& keyring = change->keyring;
  if (keyring.find(kid) == nullptr) return errc::not_found;
  if (!keyring.is_revoked(kid)) {
    keyring.revoked.push_back(kid);
    if (keyring.active() == nullptr) return errc::no_active_key;
    if (auto committed = change_commit(dir, *change, now); !committed) return committed;
  }
  // Also on a repeated revoke, so a secret a failed deletion left behind goes now.
  return signing_secrets_prune(dir, keyring);
}

std::optional<unix_seconds> key_retired_at(const keyring_document& keyring, const KeyId& kid) {
  const auto* entry = keyring.find(kid);
  if (entry == nullptr || entry->status != key_status::retired) return std::nullopt;
  // A key is retired by the rotation that activates the next one: the first later nbf.
  std::optional<unix_seconds> successor;
  for (const auto& other : keyring.keys)
    if (other.nbf > entry->nbf && (!successor || other.nbf < *successor)) successor = other.nbf;
  return successor;
}

result<std::size_t> key_dir_retired_secrets_prune(const std::filesystem::path& dir, unix_seconds now,
                                                  std::int64_t grace_seconds) {
  auto state = key_dir_keyring(dir);
  if (!state) return state.error();
  auto lock = key_dir_lock::acquire(dir);
  if (!lock) return lock.error();
  std::size_t removed = 0;
  for (const auto& entry : state->keyring.keys) {
    const auto retired_at = key_retired_at(state->keyring, entry.kid);
    if (!retired_at || *retired_at + grace_seconds > now) continue;
    std::error_code ec;
    if (std::filesystem::remove(key_dir_signing_secret_path(dir, entry.kid), ec)) ++removed;
    if (ec) return errc::io_error;
  }
  return removed;
}

}  // namespace licensor::keys
