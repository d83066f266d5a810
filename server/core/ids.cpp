#include "core/ids.hpp"

#include <sodium.h>

#include <array>
#include <cstdint>

namespace licensor::server {

std::string id_generate(std::string_view prefix) {
  constexpr std::string_view alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
  std::array<std::uint8_t, 20> random{};
  randombytes_buf(random.data(), random.size());
  std::string id(prefix);
  for (const auto byte : random) id += alphabet[byte & 31];
  return id;
}

}  // namespace licensor::server
