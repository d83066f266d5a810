// Machine credentials: the operator token and partners' API keys, both stored only as hashes
// (domain/secret_hash.hpp) and compared in constant time.
#pragma once

#include <string>

#include "core/caller.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// Who holds the credential whose hash is `secret_hash` at `now`: the operator token (an
/// `owner`), an operator API key or a partner's API key, with the key's role. Throws
/// unauthorized (unknown, revoked, expired, or a role that no longer exists).
/// `last_use_due`: the key's last use should be recorded (api_key_touch).
struct credential {
  caller who;
  bool last_use_due = false;
};
[[nodiscard]] credential credential_holder(const store::read_view& view, const std::string& secret_hash, std::int64_t now);

/// The role of a key stored before keys had roles: what such a key could do.
[[nodiscard]] std::string_view api_key_role_default(org_kind kind);

/// A key's last use is recorded to the minute, so a busy key costs one write a minute, not one
/// per request.
inline constexpr std::int64_t api_key_touch_interval_seconds = 60;
/// Records that the key whose hash is `secret_hash` was used at `now` (if it is due).
[[nodiscard]] result<void> api_key_touch(store::write_view& write, const std::string& secret_hash, std::int64_t now);

struct operator_token_outcome {
  std::string printed;    ///< a generated token to print once, or empty
  bool replaced = false;  ///< `chosen` replaced a different stored token
};

/// Stores the operator token's hash: `chosen`'s (wiped after hashing), or on first start a
/// generated token's. Errors: the store's.
[[nodiscard]] result<operator_token_outcome> operator_token_ensure(store::store& store, std::string chosen);

}  // namespace licensor::server
