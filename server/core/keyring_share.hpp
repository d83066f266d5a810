// Signing keys shared by replicas through their store (docs/postgresql.md). The key dir stays
// where keys live: the keys library reads and changes it, and a rotation still happens there
// (through the API of the replica whose key dir holds the root secret, or licensorctl). The
// store carries a copy of what may leave a key dir (keys::shared_keys): the keyring, signed by
// the root, and the signing secrets wrapped with the passphrase. A replica whose key dir holds a
// newer keyring than the store publishes it; one whose store holds a newer keyring adopts it into
// its own key dir, which checks it against the root.public that replica pins, and reloads. The
// root secret and the passphrase never enter the store, so a copy of the store can neither sign
// nor slip in a key. A key dir in development mode (unwrapped secrets) is not shared.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "licensor/keys/key_dir.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// The store's document of `keys`, and back. Decoding errors: malformed.
[[nodiscard]] std::string shared_keys_encode(const keys::shared_keys& keys);
[[nodiscard]] result<keys::shared_keys> shared_keys_decode(std::string_view document);

/// The keys the store holds (none before a replica first published). Throws refusal
/// (storage_error, or malformed when the document is not one).
[[nodiscard]] std::optional<keys::shared_keys> keyring_shared_get(const store::read_view& view);

/// Publishes `keys` unless the store holds that version or a newer one already (another replica
/// published first); returns whether it did. Throws refusal (the store's errors).
bool keyring_shared_publish(store::write_view& write, const keys::shared_keys& keys);

/// Adopts into `key_dir` what `view`'s store holds, when that is newer than the key dir's keyring
/// (or the key dir has none yet, only root.public). Returns whether the key dir changed. Errors:
/// those of keys::key_dir_adopt (keyring_bad_signature: the store's keys are not signed by this
/// key dir's root), malformed, storage_error.
[[nodiscard]] result<bool> keyring_shared_adopt(const store::read_view& view, const std::filesystem::path& key_dir);

}  // namespace licensor::server
