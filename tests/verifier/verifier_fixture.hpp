// Keys, keyrings and license tokens for the verifier suites, made with licensor::shared the
// way the server and licensorctl make them.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "licensor/claims.hpp"
#include "licensor/keyring_document.hpp"
#include "licensor/paserk.hpp"
#include "licensor/verifier.hpp"

namespace licensor::testing {

inline constexpr unix_seconds issued_at = 1'700'000'000;
inline constexpr unix_seconds thirty_days = 30 * 86'400;

inline license_claims sample_claims() {
  license_claims claims;
  claims.iss = "licensor-test";
  claims.sub = "lic_0001";
  claims.iat = issued_at;
  claims.nbf = issued_at;
  claims.exp = issued_at + thirty_days;
  claims.product = "acme-editor";
  claims.tier = "pro";
  claims.kind = license_kind::paid;
  claims.email = "ann@example.com";
  claims.seats = 5;
  claims.features = {"export", "sync"};
  return claims;
}

inline keyring_entry keyring_entry_for(const SecretKey& key,
                                       key_status status = key_status::active) {
  const auto public_key = key.public_key();
  return keyring_entry{paserk_pid(public_key), public_key, status, issued_at - thirty_days};
}

inline std::string keyring_token(const SecretKey& root, std::uint64_t version,
                                 std::vector<keyring_entry> keys, std::vector<KeyId> revoked = {}) {
  keyring_document keyring;
  keyring.version = version;
  keyring.iat = issued_at;
  keyring.keys = std::move(keys);
  keyring.revoked = std::move(revoked);
  return keyring_sign(keyring, root);
}

inline verify_context sample_context(unix_seconds now = issued_at + 86'400) {
  verify_context ctx;
  ctx.now = now;
  ctx.product = "acme-editor";
  return ctx;
}

/// A root, an active signing key, and a verifier that pins the root and loaded version 1.
struct verifier_setup {
  SecretKey root = SecretKey::generate();
  SecretKey signer = SecretKey::generate();
  license_verifier verifier{{root.public_key()}};
  std::uint64_t highest_seen = 0;
  unix_seconds last_trusted = 0;

  verifier_setup() {
    const auto status = verifier.load_keyring(keyring_token(root, 1, {keyring_entry_for(signer)}),
                                              highest_seen);
    if (status != verify_status::valid) std::abort();  // the fixture itself is broken
  }

  [[nodiscard]] std::string sign(const license_claims& claims) const {
    return license_token_sign(claims, signer);
  }

  [[nodiscard]] verify_status check(const std::string& token, const verify_context& ctx) {
    return verifier.verify(token, ctx, last_trusted).status;
  }
};

}  // namespace licensor::testing
