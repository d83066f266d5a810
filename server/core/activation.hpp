// Activation and online validation: what an app sends and gets back, without HTTP.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/caller.hpp"
#include "core/license_tokens.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// What an activation hands out.
struct activation {
  std::string license_id;
  std::string token;
  std::int64_t expires_at = 0;  ///< 0: perpetual
  bool member = false;          ///< the token is a subscription member's, bound to its email
};

/// Exchanges a canonical activation key and a normalised email for a token (the owner's, or a
/// member's), binding the machine's fingerprint on first use and re-signing when the token
/// needs it. Throws activation_failed (one answer for "no such key" and "wrong email"),
/// fingerprint_mismatch and the errors of license_token_handout_allowed.
/// `who` is the app asking (anonymous: only its request id reaches the audit log).
[[nodiscard]] activation license_activate(store::write_view& write, const caller& who, const std::string& canonical_key,
                                          const std::string& email, const std::optional<std::string>& fingerprint,
                                          const signing& with, std::int64_t now);

/// The answer of online validation, by token or by activation key.
struct validation {
  std::string code;                      ///< valid, malformed, unknown_key, ... (openapi.json)
  std::optional<license_record> license;  ///< when the token or key named a license
};

/// Validates `token`: by its hash when this server issued it, else by its signature against
/// the keyring in force.
[[nodiscard]] validation token_validate(const store::read_view& view, const keys::signer_state& signer,
                                        const std::string& token, const std::optional<std::string>& fingerprint,
                                        std::int64_t now, std::int64_t leeway_seconds);

/// Validates a canonical activation key.
[[nodiscard]] validation activation_key_validate(const store::read_view& view, const std::string& canonical_key,
                                                 const std::optional<std::string>& fingerprint, std::int64_t now,
                                                 std::int64_t leeway_seconds);

}  // namespace licensor::server
