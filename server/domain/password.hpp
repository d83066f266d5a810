// People's passwords: Argon2id (libsodium's crypto_pwhash) with OWASP's minimum for it, 19 MiB
// of memory and 2 passes. Hashing is deliberately slow and memory-hard (about 40 ms on a 2-core
// 2026 VM, and so is a verification), so it runs once per sign-in, password change or
// acceptance, never on other requests and never on the store's writer. Rules follow NIST
// SP 800-63B: length, not composition.
//
// Every function here is pure (no state of its own) and safe to call from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "licensor/result.hpp"

namespace licensor::server {

inline constexpr std::size_t password_min_length = 12;   ///< characters (UTF-8 code points)
inline constexpr std::size_t password_max_bytes = 256;   ///< bytes, so a hash's input is bounded

/// An Argon2id hash string (algorithm, parameters and salt included, under
/// crypto_pwhash_STRBYTES). A fresh random salt each call, so two hashes of one password differ.
/// Errors: internal when libsodium fails, which in practice means it could not allocate the
/// 19 MiB.
[[nodiscard]] result<std::string> password_hash(std::string_view password);

/// True when `password` matches `stored_hash` (libsodium compares in constant time). A
/// malformed, truncated or empty hash matches nothing.
[[nodiscard]] bool password_verify(std::string_view stored_hash, std::string_view password);

/// True when `stored_hash` was not made with today's algorithm and parameters (weaker or
/// stronger), or is not a hash at all: after a successful verify, hash the password again.
[[nodiscard]] bool password_needs_rehash(std::string_view stored_hash);

/// Errors: weak_password when `password` has fewer than 12 characters (UTF-8 code points),
/// more than 256 bytes, or is not well-formed UTF-8 (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF). Any character counts, spaces included.
[[nodiscard]] result<void> password_acceptable(std::string_view password);

/// True when `password` is one character repeated or, ignoring ASCII case, on a short built-in
/// list of the commonest passwords of 12 characters or more ("password1234", "qwertyuiop12").
/// Kept out of password_acceptable, whose weak_password message speaks of length only.
[[nodiscard]] bool password_too_common(std::string_view password);

}  // namespace licensor::server
