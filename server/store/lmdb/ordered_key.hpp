// Fixed-width key parts that sort in LMDB's byte order as the numbers they encode: sequences
// and Unix times become 16 lower-case hex digits, so a prefix scan walks them in order.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace licensor::store {

/// `value` as 16 lower-case hex digits ("000000006553f100").
[[nodiscard]] inline std::string hex16(std::uint64_t value) {
  std::string text(16, '0');
  constexpr std::string_view digits = "0123456789abcdef";
  for (int i = 15; i >= 0; --i, value >>= 4) text[static_cast<std::size_t>(i)] = digits[value & 15];
  return text;
}

/// A time as a key part; times before 1970 sort first, as 0.
[[nodiscard]] inline std::string hex16_time(std::int64_t unix_seconds) {
  return hex16(static_cast<std::uint64_t>(unix_seconds < 0 ? 0 : unix_seconds));
}

/// The number in the first 16 characters of `key`, or nullopt when they are not hex digits.
[[nodiscard]] inline std::optional<std::uint64_t> hex16_parse(std::string_view key) {
  if (key.size() < 16) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(key.data(), key.data() + 16, value, 16);
  if (ec != std::errc{} || end != key.data() + 16) return std::nullopt;
  return value;
}

}  // namespace licensor::store
