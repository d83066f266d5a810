// Secrets the server hands out (API keys, the operator token, sessions, invitations, password
// resets, device cookies) and how they are indexed without being stored: each is looked up by a
// hash of it.
#pragma once

#include <string>
#include <string_view>

namespace licensor::server {

/// A new 256-bit random secret as `prefix` + base64url (the prefix says what it is: "lk_" an
/// API key, "lop_" the operator token, "lss_" a session, "inv_" an invitation, "rst_" a password
/// reset, "dev_" a device cookie).
[[nodiscard]] std::string secret_generate(std::string_view prefix);

/// Hex of a 16-byte BLAKE2b hash of `secret` (32 lower-case hex digits). Secrets are 256-bit
/// random or signed tokens, so an unsalted fast hash is enough: nothing here is a password.
[[nodiscard]] std::string hash_hex(std::string_view secret);

}  // namespace licensor::server
