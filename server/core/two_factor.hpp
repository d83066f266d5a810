// A person's second factor: TOTP (domain/totp.hpp) with recovery codes. A person enrols from
// their own session: a new secret is kept pending until a code of it confirms it, so a started
// enrolment never locks anyone out, and TOTP already on keeps working until then. Secrets and
// recovery codes are made off the store's writer (a write job may run twice) and passed in;
// recovery codes are stored only as hashes (hash_hex of their normalised form).
//
// At sign-in, second_factor_check runs on a snapshot and second_factor_spend on the writer, in
// the job that opens the session: two sign-ins racing with one code cannot both spend it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/caller.hpp"
#include "domain/records.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// The issuer authenticator apps show next to the account.
inline constexpr std::string_view totp_issuer = "Licensor";
/// Recovery codes handed out at each confirmation.
inline constexpr std::size_t recovery_code_count = 10;

/// What a sign-in presented as its second factor, once checked.
struct second_factor_proof {
  std::optional<std::int64_t> totp_step;  ///< a TOTP code of this step matched
  std::string recovery_hash;              ///< or this unused recovery code matched
};

/// Checks `totp_code` (when not empty) or else `recovery_code` against `user`'s TOTP at `now`:
/// a code of the step before, of or after now's, after the last step used; or an unused
/// recovery code. nullopt when neither matches (or TOTP is off).
[[nodiscard]] std::optional<second_factor_proof> second_factor_check(const user_record& user, std::string_view totp_code,
                                                                     std::string_view recovery_code, std::int64_t now);

/// Spends `proof` on `user` (its step becomes the last used; its recovery code is dropped).
/// False when it no longer holds: the step is not after the last used one, or the recovery
/// code is gone (another sign-in spent it meanwhile).
[[nodiscard]] bool second_factor_spend(user_record& user, const second_factor_proof& proof);

/// Starts (or starts again) the caller's enrolment with `secret` (base32, from
/// totp_secret_generate): it is kept pending until confirmed. `proof_step`, when the caller
/// proved with a TOTP code that it is them, is recorded as used. Throws forbidden (not a person).
void totp_enrol_start(store::write_view& write, const caller& who, const std::string& secret,
                      std::optional<std::int64_t> proof_step, std::int64_t now);

/// Confirms the pending enrolment with `code`, a code of its secret: TOTP is on with that secret,
/// the code's step counts as used, and `recovery_hashes` replace any earlier recovery codes.
/// Audited. Throws forbidden, conflict (no enrolment pending), totp_invalid (wrong code).
void totp_enrol_confirm(store::write_view& write, const caller& who, const std::string& code,
                        std::vector<std::string> recovery_hashes, std::int64_t now);

/// Turns the caller's TOTP off (secret, pending enrolment, recovery codes). Audited when it
/// was on. Throws forbidden.
void totp_disable(store::write_view& write, const caller& who, std::int64_t now);

}  // namespace licensor::server
