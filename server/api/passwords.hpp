// What a person types to prove who they are, checked on the network threads (never on the
// store's writer): new passwords (checked and hashed with Argon2id), and the proof of their
// current password or TOTP code a signed-in person gives before a sensitive change to their
// own account.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/body_reader.hpp"
#include "api/service.hpp"
#include "domain/records.hpp"

namespace licensor::server {

/// The new password in `field`. Throws bad_request (missing), weak_password.
[[nodiscard]] std::string password_or_refuse(const body_reader& body, std::string_view field);

/// An Argon2id hash of `password`. Throws internal (out of memory).
[[nodiscard]] std::string password_hash_or_refuse(const std::string& password);

/// Checks that the person behind a session is `user`: `password` (their current one) or, when
/// TOTP is on, `code`. A stolen session must not become a guessing oracle: a wrong one counts
/// against the account's sign-in budget. Returns the TOTP step the code used (to record it as
/// used), if a code was the proof. Throws bad_request (neither given), rate_limited, forbidden
/// (wrong).
[[nodiscard]] std::optional<std::int64_t> owner_proof_or_refuse(service& svc, const user_record& user,
                                                                const std::optional<std::string>& password,
                                                                const std::optional<std::string>& code);

}  // namespace licensor::server
