// How secrets are indexed without being stored: API keys, operator tokens and license tokens
// are looked up by a hash of them.
#pragma once

#include <string>
#include <string_view>

namespace licensor::server {

/// Hex of a 16-byte BLAKE2b hash of `secret` (32 lower-case hex digits). Secrets are 256-bit
/// random or signed tokens, so an unsalted fast hash is enough: nothing here is a password.
[[nodiscard]] std::string hash_hex(std::string_view secret);

}  // namespace licensor::server
