// Strong key types. A secret key wipes itself and compares in constant time; a key id is the
// PASERK k4.pid string of a public key, so a kid can only ever name one key.
#pragma once

#include <sodium.h>

#include <array>
#include <cstdint>
#include <string>

namespace licensor {

struct PublicKey {
  std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> bytes{};
  friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

/// An Ed25519 secret key (libsodium layout: 32-byte seed followed by the public key).
/// Move-only; the bytes are wiped on destruction and when moved from.
class SecretKey {
 public:
  static constexpr std::size_t size = crypto_sign_SECRETKEYBYTES;

  SecretKey() = default;
  explicit SecretKey(const std::array<std::uint8_t, size>& bytes) : bytes_(bytes) {}
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  SecretKey(SecretKey&& other) noexcept : bytes_(other.bytes_) { other.wipe(); }
  SecretKey& operator=(SecretKey&& other) noexcept {
    if (this != &other) {
      bytes_ = other.bytes_;
      other.wipe();
    }
    return *this;
  }
  ~SecretKey() { wipe(); }

  /// A fresh random key pair.
  [[nodiscard]] static SecretKey generate() {
    SecretKey key;
    PublicKey unused;
    crypto_sign_keypair(unused.bytes.data(), key.bytes_.data());
    return key;
  }

  [[nodiscard]] const std::array<std::uint8_t, size>& bytes() const noexcept { return bytes_; }
  [[nodiscard]] std::array<std::uint8_t, size>& mutable_bytes() noexcept { return bytes_; }

  [[nodiscard]] PublicKey public_key() const noexcept {
    PublicKey pk;
    crypto_sign_ed25519_sk_to_pk(pk.bytes.data(), bytes_.data());
    return pk;
  }

  /// Constant-time comparison.
  [[nodiscard]] bool equals(const SecretKey& other) const noexcept {
    return sodium_memcmp(bytes_.data(), other.bytes_.data(), size) == 0;
  }

 private:
  void wipe() noexcept { sodium_memzero(bytes_.data(), bytes_.size()); }
  std::array<std::uint8_t, size> bytes_{};
};

/// A PASERK k4.pid string ("k4.pid." followed by 44 base64url characters).
struct KeyId {
  std::string value;
  friend bool operator==(const KeyId&, const KeyId&) = default;
  friend auto operator<=>(const KeyId&, const KeyId&) = default;
};

}  // namespace licensor
