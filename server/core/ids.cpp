#include "core/ids.hpp"

#include <array>
#include <chrono>
#include <cstdint>

#include "licensor/id_random.hpp"

namespace licensor::server {
namespace {

constexpr std::string_view alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
constexpr int time_characters = 9;     // 45 bits of milliseconds: until the year 3084
constexpr int random_characters = 16;  // 80 bits

}  // namespace

std::string id_generate(std::string_view prefix) {
  const auto millis = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                     std::chrono::system_clock::now().time_since_epoch())
                                                     .count());
  std::string id(prefix);
  for (int i = time_characters - 1; i >= 0; --i) id += alphabet[(millis >> (5 * i)) & 31];
  std::array<std::uint8_t, random_characters> random{};
  id_random_bytes(random);
  for (const auto byte : random) id += alphabet[byte & 31];
  return id;
}

}  // namespace licensor::server
