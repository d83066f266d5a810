// Password resets: an admin of the person's organisation issues a single-use token that lives
// an hour (until outbound e-mail exists the admin hands it on; then a "forgot password" request
// will e-mail it). It is stored only by its hash as a user_token_record of purpose
// "password_reset"; a new one replaces the person's earlier one. Accepting it sets the new
// password (hashed off the writer) and ends all the person's sessions.
#pragma once

#include <cstdint>
#include <string>

#include "core/caller.hpp"
#include "domain/records.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// How long a reset token may be used.
inline constexpr std::int64_t password_reset_lifetime_seconds = 3'600;

/// Stores `token_hash` as user `id`'s reset token, spending any earlier one. Audited. Throws
/// not_found (unknown, or another organisation's user), forbidden (as user_update: users_manage
/// of the user's organisation), conflict (the user is not active: invited people accept their
/// invitation, disabled people are enabled first). `emailed`: the reset goes by mail, with a
/// "user.password_reset_requested" event (core/mail_compose.hpp mints the token it sends).
[[nodiscard]] user_record password_reset_issue(store::write_view& write, const caller& who, const std::string& id,
                                               const std::string& token_hash, bool emailed, std::int64_t now);

/// Makes `token_hash` the user's one reset token (spending any earlier one) and saves the user.
/// password_reset_issue's store step; mail (core/mail_compose.hpp) uses it to mint the token it
/// sends.
void password_reset_token_replace(store::write_view& write, user_record& user, const std::string& token_hash,
                                  std::int64_t now);

/// The active user behind a live reset token. Throws reset_token_invalid (unknown, used,
/// expired, replaced, or its user no longer active).
[[nodiscard]] user_record password_reset_user(const store::read_view& view, const std::string& token_hash,
                                              std::int64_t now);

/// Sets the user's password to `password_hash`, spends the token and ends every session of
/// theirs. Audited. Throws reset_token_invalid.
[[nodiscard]] user_record password_reset_accept(store::write_view& write, const std::string& token_hash,
                                                const std::string& password_hash, std::int64_t now);

}  // namespace licensor::server
