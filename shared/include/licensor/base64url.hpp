// Strict base64url (RFC 4648 section 5) as PASETO requires: no padding, no characters outside
// the URL-safe alphabet, and no non-zero trailing bits, so each byte string has exactly one
// encoding and a token cannot be altered without changing its bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "licensor/result.hpp"

namespace licensor {

[[nodiscard]] std::string base64url_encode(std::span<const std::uint8_t> bytes);
/// Errors: errc::malformed on padding, a bad character, an impossible length or dirty bits.
[[nodiscard]] result<std::vector<std::uint8_t>> base64url_decode(std::string_view text);

}  // namespace licensor
