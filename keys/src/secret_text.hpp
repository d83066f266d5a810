// A secret key as it is stored in a key directory: k4.secret-pw (wrapped) or k4.secret
// (development mode). The form is read from the PASERK prefix, never from a flag.
#pragma once

#include <string>
#include <string_view>

#include "licensor/key_types.hpp"
#include "licensor/paserk.hpp"
#include "licensor/result.hpp"

namespace licensor::keys {

enum class secret_form { wrapped, unwrapped };

/// Errors: malformed (neither prefix).
[[nodiscard]] result<secret_form> secret_text_form(std::string_view text) noexcept;

/// The stored text, newline-terminated. Errors: bad_request (wrapped with an empty
/// passphrase), internal (Argon2id memory).
[[nodiscard]] result<std::string> secret_text_encode(const SecretKey& key, secret_form form,
                                                     std::string_view passphrase, pbkw_limits limits);

/// Parses or unwraps a stored secret (trailing white space ignored). Errors: malformed,
/// wrong_version, wrong_password (wrapped and the passphrase is wrong or empty).
[[nodiscard]] result<SecretKey> secret_text_decode(std::string_view text, std::string_view passphrase);

/// Overwrites a string that held secret material.
void secret_text_wipe(std::string& text) noexcept;

}  // namespace licensor::keys
