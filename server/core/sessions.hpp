// Sessions of signed-in people. The cookie carries a 256-bit secret; the store keeps only its
// hash (domain/secret_hash.hpp), so a copy of the store signs nobody in. A session ends at its
// absolute expiry, after an idle time, at sign-out, when revoked, when its user is disabled,
// and (all but the one in use) when its user changes the password.
// Checking a session costs one store read, as an API key does: no hashing of passwords on any
// request but the sign-in (domain/password.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/caller.hpp"
#include "core/two_factor.hpp"
#include "domain/records.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// A session ends this long after sign-in, whatever happens.
inline constexpr std::int64_t session_absolute_seconds = 12 * 3'600;
/// ... or this long after its last request.
inline constexpr std::int64_t session_idle_seconds = 30 * 60;
/// Its last request is recorded to the minute (one write a minute per busy session).
inline constexpr std::int64_t session_touch_interval_seconds = 60;

/// The caller behind a live session, and whether its last use should be recorded.
struct session_holder_result {
  caller who;
  session_record session;
  bool last_seen_due = false;
};

/// The session stored under `secret_hash` at `now` (its caller marked when the organisation
/// requires TOTP and the user has none). Throws unauthorized (unknown, expired, idle too long,
/// or its user not active).
[[nodiscard]] session_holder_result session_holder(const store::read_view& view, const std::string& secret_hash,
                                                   std::int64_t now);

/// Records the session's last request at `now` (if still there and due).
[[nodiscard]] result<void> session_touch(store::write_view& write, const std::string& secret_hash, std::int64_t now);

/// What a sign-in proved off the writer, and what it changes in the user's record.
struct sign_in_grant {
  second_factor_proof factor;  ///< when the user has TOTP on: the code it spends
  std::string rehashed;        ///< not empty: a fresh hash of the password (password_needs_rehash)
  std::string device_hash;     ///< not empty: a new device to remember (core/devices.hpp)
};

/// Opens a session for `user` (the record the password and second factor were checked against
/// off the writer) and applies `grant` to the stored user in the same write. Refused
/// (unauthorized) if the user changed meanwhile (password, status, TOTP secret) or the second
/// factor was spent meanwhile (the step was used, the recovery code is gone). Audits the
/// sign-in, and a recovery code used.
[[nodiscard]] session_record session_open(store::write_view& write, const user_record& user, const sign_in_grant& grant,
                                          const std::string& secret_hash, session_record session, std::int64_t now);

/// Ends every session of user `user_id` but the one stored under `keep_hash` (if any).
void sessions_end(store::write_view& write, const std::string& user_id, const std::string& keep_hash = {});

/// Ends the caller's current session.
void session_close(store::write_view& write, const caller& who, std::int64_t now);

/// The caller's sessions (hash, session), newest first. Throws forbidden for a caller who is
/// not a signed-in person.
[[nodiscard]] std::vector<std::pair<std::string, session_record>> sessions_own(const store::read_view& view,
                                                                               const caller& who);

/// Ends one of the caller's sessions by its public id. Throws not_found.
void session_revoke(store::write_view& write, const caller& who, const std::string& session_id, std::int64_t now);

/// The signed-in person behind `who`. Throws forbidden for API keys and jobs.
[[nodiscard]] user_record user_self(const store::read_view& view, const caller& who);

/// Replaces the caller's password hash (checked against `verified_hash`, the one the current
/// password was verified with) and ends every other session of theirs. Throws forbidden,
/// conflict (the password changed meanwhile).
void password_change(store::write_view& write, const caller& who, const std::string& verified_hash,
                     const std::string& new_hash, std::int64_t now);

}  // namespace licensor::server
