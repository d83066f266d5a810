// People's passwords: Argon2id (libsodium's crypto_pwhash) with OWASP's minimum for it, 19 MiB
// of memory and 2 passes. Hashing is deliberately slow and memory-hard (tens of ms), so it runs
// once per sign-in, password change or acceptance, never on other requests and never on the
// store's writer. Rules follow NIST SP 800-63B: length, not composition.
#pragma once

#include <string>
#include <string_view>

#include "licensor/result.hpp"

namespace licensor::server {

inline constexpr std::size_t password_min_length = 12;   ///< characters
inline constexpr std::size_t password_max_bytes = 256;

/// An Argon2id hash string (algorithm, parameters and salt included). Errors: internal when
/// libsodium cannot allocate its memory.
[[nodiscard]] result<std::string> password_hash(std::string_view password);

/// True when `password` matches `stored_hash` (libsodium compares in constant time). A
/// malformed or empty hash matches nothing.
[[nodiscard]] bool password_verify(std::string_view stored_hash, std::string_view password);

/// True when `stored_hash` was made with weaker parameters than today's.
[[nodiscard]] bool password_needs_rehash(std::string_view stored_hash);

/// Errors: weak_password when `password` has fewer than 12 characters (UTF-8 code points),
/// more than 256 bytes, or is not valid UTF-8.
[[nodiscard]] result<void> password_acceptable(std::string_view password);

}  // namespace licensor::server
