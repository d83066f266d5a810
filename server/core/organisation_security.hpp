// An organisation's sign-in policy: its admins can require TOTP of every person in it. A person
// of such an organisation without TOTP still signs in, but their session may only do what
// own_account allows (enrol TOTP, see themselves, sign out) until they enrol: their session
// withholds the rest of their role (core/sessions.cpp, caller::withheld), so everything else
// answers forbidden. The organisation is always the caller's own: the operators' for
// operators, their partner's for a partner's people and keys; customers' people have no
// policy yet.
#pragma once

#include <cstdint>
#include <string>

#include "core/caller.hpp"
#include "domain/records.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// The policy of `who`'s organisation. Throws forbidden for callers of no organisation.
[[nodiscard]] organisation_security_record organisation_security_of(const store::read_view& view, const caller& who);

/// Sets whether `who`'s organisation requires TOTP. Audited. Throws forbidden (no
/// users_manage; an operator also needs operator_users_manage, as for inviting operators).
[[nodiscard]] organisation_security_record organisation_security_set(store::write_view& write, const caller& who,
                                                                     bool require_totp, std::int64_t now);

/// Whether `user` must enrol TOTP before doing anything else.
[[nodiscard]] bool totp_enrolment_required(const store::read_view& view, const user_record& user);

}  // namespace licensor::server
