// Opening a license token (DESIGN.md sections 2 and 3): the one sequence every checker of a
// license token follows, so the verifier library and the server cannot drift apart.
//
// Order, first failure wins: token shape, the key id from the untrusted footer, revoked (a
// revoked key loses even with a valid signature), unknown, the Ed25519 signature under the
// license assertion, the claims' shape. What the claims then mean (times, product, email,
// version, machine) is the caller's to check.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "licensor/claims.hpp"
#include "licensor/key_types.hpp"
#include "licensor/result.hpp"

namespace licensor {

struct keyring_document;

/// The keys a keyring vouches for, indexed for one hash lookup per token. Retired keys stay:
/// they verify the tokens they signed until those expire. A plain value, immutable once built.
class license_keys {
 public:
  license_keys() = default;
  explicit license_keys(const keyring_document& keyring);

  [[nodiscard]] bool revoked(std::string_view kid) const;
  /// The public key `kid` names, or nullptr.
  [[nodiscard]] const PublicKey* find(std::string_view kid) const;

 private:
  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, PublicKey, string_hash, std::equal_to<>> keys_by_kid_;
  std::unordered_set<std::string, string_hash, std::equal_to<>> revoked_kids_;
};

/// A token whose signature checked out, with the key that signed it.
struct opened_license {
  KeyId kid;
  license_claims claims;
};

/// Errors: malformed (shape, footer, claims), wrong_version, revoked_key, unknown_key,
/// bad_signature. `kid_out`, when given, receives the footer's kid as soon as it is known to be
/// well formed, so a caller can report which key a refused token named.
[[nodiscard]] result<opened_license> license_token_open(std::string_view token, const license_keys& keys,
                                                        KeyId* kid_out = nullptr);

}  // namespace licensor
