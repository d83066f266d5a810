// Shared by the libFuzzer targets: fixed keys (derived from constant seeds, so the committed
// seed corpora stay valid), a fixed keyring and a sample license, and a fail() that aborts so
// libFuzzer records the input as a crash. Fuzz-only code: never linked into a product.
#pragma once

#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "licensor/claims.hpp"
#include "licensor/keyring_document.hpp"
#include "licensor/paserk.hpp"

namespace licensor::fuzz {

inline constexpr unix_seconds issued_at = 1'700'000'000;
inline constexpr std::string_view product = "acme-editor";

[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// An Ed25519 key from a constant seed byte.
inline SecretKey fixed_key(std::uint8_t seed_byte) {
  if (sodium_init() < 0) fail("sodium_init");
  std::array<std::uint8_t, crypto_sign_SEEDBYTES> seed{};
  seed.fill(seed_byte);
  std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> pk{};
  std::array<std::uint8_t, SecretKey::size> sk{};
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  return SecretKey(sk);
}

inline const SecretKey& root_key() {
  static const SecretKey key = fixed_key(0x52);
  return key;
}
inline const SecretKey& signing_key() {
  static const SecretKey key = fixed_key(0x53);
  return key;
}
inline const SecretKey& retired_key() {
  static const SecretKey key = fixed_key(0x54);
  return key;
}
inline const SecretKey& revoked_key() {
  static const SecretKey key = fixed_key(0x55);
  return key;
}

/// Keyring version 3: signing (active), retired (retired), revoked (listed as revoked).
inline keyring_document fixed_keyring_document() {
  keyring_document keyring;
  keyring.version = 3;
  keyring.iat = issued_at;
  for (const auto* key : {&signing_key(), &retired_key(), &revoked_key()}) {
    const auto public_key = key->public_key();
    keyring.keys.push_back(keyring_entry{paserk_pid(public_key), public_key,
                                         key == &signing_key() ? key_status::active : key_status::retired,
                                         issued_at - 86'400});
  }
  keyring.revoked.push_back(paserk_pid(revoked_key().public_key()));
  return keyring;
}

inline const std::string& fixed_keyring_token() {
  static const std::string token = keyring_sign(fixed_keyring_document(), root_key());
  return token;
}

inline license_claims sample_claims() {
  license_claims claims;
  claims.iss = "licensor";
  claims.sub = "lic_0001";
  claims.iat = issued_at;
  claims.nbf = issued_at;
  claims.exp = issued_at + 30 * 86'400;
  claims.product = std::string(product);
  claims.tier = "pro";
  claims.kind = license_kind::paid;
  claims.email = "ann@example.com";
  claims.seats = 5;
  claims.features = {"export", "sync"};
  claims.min_version = "2.0";
  claims.max_version = "3.9.9";
  claims.fingerprint = "machine-1";
  return claims;
}

}  // namespace licensor::fuzz
