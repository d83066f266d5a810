// Machine credentials: the operator token and partners' API keys, both stored only as hashes
// (domain/secret_hash.hpp) and compared in constant time.
#pragma once

#include <string>

#include "core/caller.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// Who holds the credential whose hash is `secret_hash`: the operator or a partner's key.
/// Throws unauthorized (unknown or revoked).
[[nodiscard]] caller credential_holder(const store::read_view& view, const std::string& secret_hash);

struct operator_token_outcome {
  std::string printed;    ///< a generated token to print once, or empty
  bool replaced = false;  ///< `chosen` replaced a different stored token
};

/// Stores the operator token's hash: `chosen`'s (wiped after hashing), or on first start a
/// generated token's. Errors: the store's.
[[nodiscard]] result<operator_token_outcome> operator_token_ensure(store::store& store, std::string chosen);

}  // namespace licensor::server
