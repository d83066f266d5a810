// The keyring (DESIGN.md section 3): the list of signing keys the root vouches for, signed by
// the root as a PASETO v4.public token with implicit assertion licensor:keyring:v1.
// Payload: {"version", "iat", "keys": [{"kid", "public", "status", "nbf"}], "revoked": [kid]}.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "licensor/key_types.hpp"
#include "licensor/result.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor {

enum class key_status { active, retired };

struct keyring_entry {
  KeyId kid;
  PublicKey public_key;
  key_status status = key_status::active;
  unix_seconds nbf = 0;
};

struct keyring_document {
  std::uint64_t version = 0;
  unix_seconds iat = 0;
  std::vector<keyring_entry> keys;
  std::vector<KeyId> revoked;

  /// The entry for `kid`, or nullptr.
  [[nodiscard]] const keyring_entry* find(const KeyId& kid) const noexcept;
  [[nodiscard]] bool is_revoked(const KeyId& kid) const noexcept;
  /// The newest active, unrevoked key, or nullptr.
  [[nodiscard]] const keyring_entry* active() const noexcept;
};

[[nodiscard]] std::string keyring_to_json(const keyring_document& keyring);
/// Errors: malformed (shape, types, a kid that is not the k4.pid of its public key,
/// a duplicate kid).
[[nodiscard]] result<keyring_document> keyring_parse(std::string_view json);

/// Signs the keyring with the root key.
[[nodiscard]] std::string keyring_sign(const keyring_document& keyring, const SecretKey& root);

/// Verifies a keyring token against the pinned root keys (any one of them may have signed it).
/// Errors: malformed, wrong_version, keyring_bad_signature (no pinned root signed it, or the
/// signature fails).
[[nodiscard]] result<keyring_document> keyring_verify(std::string_view token,
                                                      std::span<const PublicKey> pinned_roots);

}  // namespace licensor
