// Pre-Authentication Encoding (PASETO Common.md): an unambiguous encoding of a list of byte
// strings, each prefixed with its length as a 64-bit little-endian integer (top bit clear).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace licensor {

[[nodiscard]] std::vector<std::uint8_t> pae(std::initializer_list<std::string_view> pieces);

}  // namespace licensor
