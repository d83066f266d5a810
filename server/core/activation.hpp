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
/// `app_version`, when given, is recorded as the license's app version seen (app_version_note).
[[nodiscard]] activation license_activate(store::write_view& write, const caller& who, const std::string& canonical_key,
                                          const std::string& email, const std::optional<std::string>& fingerprint,
                                          const std::optional<std::string>& app_version, const signing& with,
                                          std::int64_t now);

/// The app version an activation or a validation sent is kept per license with when it was
/// seen, to the day: a new version is recorded at once, the same one again only once its record
/// is a day old, so validation (a read) writes at most once a day per license and version.
inline constexpr std::int64_t app_version_seen_refresh_seconds = 86'400;

/// True when `version` seen at `now` is worth recording for `license`.
[[nodiscard]] bool app_version_note_due(const license_record& license, const std::string& version, std::int64_t now);

/// Records `version` as the license's app version seen at `now`, when app_version_note_due says
/// so, and when it is above every version seen before, that it was first seen now
/// (domain/campaigns.hpp: app_version_highs). Not audited and no event: it is what the app said, not a change anyone made. Does
/// nothing for a license that is gone.
void app_version_note(store::write_view& write, std::string_view license_id, const std::string& version, std::int64_t now);

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
