// A second factor for people: RFC 6238 time-based one-time passwords as authenticator apps use
// them (HMAC-SHA1, 6 digits, 30-second steps, a 160-bit secret shown as base32), and recovery
// codes for when the phone is lost.
//
// Replay: a code is good for one step, so the caller stores the step totp_check returns and
// passes it back as `last_used_step`; a code of that step or an earlier one is refused even
// within its 90 seconds. Guessing: a 6-digit code with three steps accepted is a 3 in 10^6
// chance per try, so sign-in attempts must be rate-limited as passwords are.
//
// Recovery codes are about 50 random bits (10 symbols of 31), each used once, and tried only
// under the same rate limit, so they are stored as hash_hex (domain/secret_hash.hpp) of their
// normalised form, not with Argon2id: online guessing is hopeless, and one stands in only for
// the second factor, so a stolen hash still leaves the password to find.
//
// Every function is pure but for the random ones (libsodium's randombytes) and safe to call
// from any thread. Times are Unix seconds; nothing here reads the clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "licensor/result.hpp"

namespace licensor::server {

inline constexpr std::int64_t totp_period = 30;     ///< seconds per step (RFC 6238's X)
inline constexpr int totp_digits = 6;               ///< what authenticator apps show
inline constexpr std::size_t totp_secret_bytes = 20;  ///< 160 bits, RFC 4226's recommendation

/// The HMAC under a code. Apps use sha1; the others exist for RFC 6238's test vectors.
enum class totp_hash { sha1, sha256, sha512 };

/// A new random secret of 20 bytes as upper-case RFC 4648 base32 without padding (32
/// characters), the form an authenticator app takes.
[[nodiscard]] std::string totp_secret_generate();

/// RFC 4648 base32 (alphabet A-Z 2-7), upper case, without '=' padding.
[[nodiscard]] std::string base32_encode(std::span<const std::uint8_t> bytes);

/// Decodes base32 as typed or pasted: lower case is accepted and spaces are ignored.
/// Errors: malformed on any other character (padding '=' included), on a length no byte string
/// has (1, 3 or 6 symbols past a multiple of 8), or on non-zero bits after the last byte, so one
/// byte string has one text.
[[nodiscard]] result<std::vector<std::uint8_t>> base32_decode(std::string_view text);

/// The RFC 6238 code of `secret` at `unix_seconds` (step floor(t / 30), RFC 4226's dynamic
/// truncation), `digits` long with leading zeros. Empty (never a valid code) when `digits` is
/// not 6 to 8, when `unix_seconds` is negative, or if OpenSSL's HMAC fails.
[[nodiscard]] std::string totp_code(std::span<const std::uint8_t> secret, std::int64_t unix_seconds,
                                    int digits = totp_digits, totp_hash hash = totp_hash::sha1);

/// The step (unix_seconds / 30) whose 6-digit SHA-1 code `code` is, among the step of `now`
/// and the ones just before and after it (an app's clock may be off by up to 30 s either way),
/// and only if that step is after `last_used_step`; store it as the new last used step. For a
/// secret never used pass -1. nullopt when no step matches, when the step was used already
/// (replay), when `code` is not exactly 6 ASCII digits, when `secret_base32` does not decode or
/// has fewer than 16 bytes (RFC 4226's minimum), or when `now` is negative. Codes are compared
/// in constant time.
[[nodiscard]] std::optional<std::int64_t> totp_check(std::string_view secret_base32, std::string_view code,
                                                     std::int64_t now, std::int64_t last_used_step);

/// The provisioning URI an app reads from a QR code:
/// otpauth://totp/Issuer:account?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30.
/// Issuer, account and secret are percent-encoded (all but RFC 3986's unreserved characters,
/// so a ':' in the issuer cannot be read as the separator and a space is %20, never '+').
[[nodiscard]] std::string totp_uri(std::string_view issuer, std::string_view account_email,
                                   std::string_view secret_base32);

/// `count` new recovery codes, distinct, each 10 random symbols of "23456789abcdefghjkmnpqrstuvwxyz"
/// (no 0, o, 1, i or l to misread) shown as "xxxxx-xxxxx".
[[nodiscard]] std::vector<std::string> recovery_codes_generate(std::size_t count = 10);

/// The form a recovery code is hashed and compared in: ASCII lower case, with spaces, tabs and
/// dashes dropped, so "ABCDE FGHJK" and "abcde-fghjk" are one code. Anything else is kept as
/// typed (a wrong code then matches no stored hash).
[[nodiscard]] std::string recovery_code_normalise(std::string_view typed);

}  // namespace licensor::server
