#include "domain/secret_hash.hpp"

#include <sodium.h>

#include <array>
#include <cstdint>

#include "licensor/base64url.hpp"

namespace licensor::server {

std::string secret_generate(std::string_view prefix) {
  std::array<std::uint8_t, 32> secret{};
  randombytes_buf(secret.data(), secret.size());
  auto text = std::string(prefix) + base64url_encode(secret);
  sodium_memzero(secret.data(), secret.size());
  return text;
}

std::string hash_hex(std::string_view secret) {
  std::array<std::uint8_t, 16> hash{};
  crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size(),
                     nullptr, 0);
  std::array<char, 33> hex{};
  sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
  return std::string(hex.data(), 32);
}

}  // namespace licensor::server
