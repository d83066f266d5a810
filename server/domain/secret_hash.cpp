#include "domain/secret_hash.hpp"

#include <sodium.h>

#include <array>
#include <cstdint>

namespace licensor::server {

std::string hash_hex(std::string_view secret) {
  std::array<std::uint8_t, 16> hash{};
  crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size(),
                     nullptr, 0);
  std::array<char, 33> hex{};
  sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
  return std::string(hex.data(), 32);
}

}  // namespace licensor::server
