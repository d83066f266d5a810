// PASETO v4.public (Ed25519 over PAE), as in the PASETO spec's Version4.md.
//
// Verification is split in two so callers can do "key id first, then the signature":
// paseto_parse decodes a token into untrusted parts (the footer carries the kid), the caller
// looks the kid up in a trusted keyring, then paseto_check verifies the signature with that key.
// Nothing in an untrusted_token may be acted on before paseto_check succeeds.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "licensor/key_types.hpp"
#include "licensor/result.hpp"

namespace licensor {

inline constexpr std::string_view paseto_v4_public_header = "v4.public.";

/// A decoded but not yet verified token.
struct untrusted_token {
  std::string untrusted_payload;
  std::string untrusted_footer;
  std::array<std::uint8_t, crypto_sign_BYTES> signature{};
};

/// A token whose signature verified. Payload and footer are trusted bytes.
struct verified_token {
  std::string payload;
  std::string footer;
};

/// Signs `payload` with footer and implicit assertion. The footer may be empty (then omitted).
[[nodiscard]] std::string paseto_sign(const SecretKey& key, std::string_view payload,
                                      std::string_view footer, std::string_view implicit_assertion);

/// Decodes a v4.public token. Errors: wrong_version (another version or purpose),
/// malformed (bad base64url, too short, extra parts).
[[nodiscard]] result<untrusted_token> paseto_parse(std::string_view token);

/// Verifies a parsed token with `key`. Errors: bad_signature.
[[nodiscard]] result<verified_token> paseto_check(untrusted_token&& token, const PublicKey& key,
                                                  std::string_view implicit_assertion);

/// paseto_parse then paseto_check, for callers that already know the key.
[[nodiscard]] result<verified_token> paseto_verify(std::string_view token, const PublicKey& key,
                                                   std::string_view implicit_assertion);

}  // namespace licensor
