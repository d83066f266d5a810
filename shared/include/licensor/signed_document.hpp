// The two kinds of signed documents Licensor makes, both PASETO v4.public with a footer
// {"kid": k4.pid of the signing key}. The implicit assertion names the kind, so a license
// token can never be accepted as a keyring, nor the reverse.
#pragma once

#include <string>
#include <string_view>

#include "licensor/key_types.hpp"
#include "licensor/result.hpp"

namespace licensor {

inline constexpr std::string_view license_assertion = "licensor:license:v1";
inline constexpr std::string_view keyring_assertion = "licensor:keyring:v1";

/// Signs `payload` with `key`, putting the key's k4.pid in the footer.
[[nodiscard]] std::string signed_document_sign(const SecretKey& key, std::string_view payload,
                                               std::string_view assertion);

/// Reads the kid of an untrusted footer: exactly {"kid": "<k4.pid>"}.
/// Errors: malformed (not JSON, other members, a kid that is not a well-formed k4.pid).
[[nodiscard]] result<KeyId> untrusted_footer_kid(std::string_view untrusted_footer);

}  // namespace licensor
