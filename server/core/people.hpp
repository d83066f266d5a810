// People: the vendor's operators, partners' staff and customers' people, who sign in
// (core/sessions.hpp) and act with a role (domain/permissions.hpp). An organisation's admin
// invites a person with a role (a partner's admins also their customers' people);
// the invitation is a single-use token, returned once to the inviter or e-mailed to the person;
// the person accepts it by choosing a password.
// Passwords are hashed with Argon2id (domain/password.hpp) off the store's writer: these
// operations take the hash, never the password.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/caller.hpp"
#include "domain/records.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// How long an invitation may be accepted.
inline constexpr std::int64_t invitation_lifetime_seconds = 7 * 86'400;

struct invitation_order {
  std::string partner_id;  ///< empty: an operator (or a customer's person: the customer's partner is used)
  std::string customer_id; ///< set: one of this customer's people
  std::string email;       ///< as typed; normalised by user_invite_prepare
  std::string name;
  std::string role;
  std::string language = "en";
};

/// Refuses unless `who` may manage the people of an organisation: the operators (both ids
/// empty), a partner's staff (`partner_id`), or a customer's people (`customer_id`, of partner
/// `partner_id`). Its own admins may (users_manage); operators also a partner's or a
/// customer's; a partner's admins also their customers'; operator users only operators with
/// operator_users_manage. Throws forbidden, partner_not_found or customer_not_found (another
/// organisation's).
void people_manager_or_refuse(const caller& who, const std::string& partner_id, const std::string& customer_id = {});

/// The user behind a live single-use token of `purpose` ("invitation", "password_reset"), or
/// nullopt (unknown, another purpose, expired, or its user is gone). The caller checks the
/// user's status.
[[nodiscard]] std::optional<user_record> user_by_token(const store::read_view& view, const std::string& token_hash,
                                                       std::string_view purpose, std::int64_t now);

/// The new user for `order`, checked: the email is normalised, the role is one of the
/// organisation's kind, and `who` may invite into that organisation (its own; operators also
/// into a partner; operator users only with operator_users_manage; a customer's people are
/// checked by user_invite_store). Throws bad_request, invalid_email, forbidden,
/// partner_not_found (another partner).
[[nodiscard]] user_record user_invite_prepare(const caller& who, const invitation_order& order, std::int64_t now);

/// Stores the invited user and its invitation token (by hash), and returns it; `emailed`: the
/// invitation goes by mail (core/mail_compose.hpp mints the token the mail carries). A customer's
/// person gets the customer's partner, once `who` is found to manage that customer's people
/// (operators, the partner's admins, the customer's own admins). Throws user_exists (the
/// organisation has a user with this email), partner_not_found, customer_not_found, forbidden.
[[nodiscard]] user_record user_invite_store(store::write_view& write, const caller& who, user_record user,
                                            const std::string& token_hash, bool emailed, std::int64_t now);

/// The invited user behind a live invitation token. Throws invitation_invalid (unknown,
/// used, expired, or its user is no longer invited).
[[nodiscard]] user_record invitation_user(const store::read_view& view, const std::string& token_hash, std::int64_t now);

/// Accepts the invitation: the user becomes active with `password_hash`; the token is spent.
/// Throws invitation_invalid.
[[nodiscard]] user_record invitation_accept(store::write_view& write, const std::string& token_hash,
                                            const std::string& password_hash, std::int64_t now);

/// The users of one organisation `who` may see: a customer's people their own; a partner's
/// people their staff or, with `customer_id`, that customer's people; an operator the
/// operators', or a partner's (`partner_id`), or a customer's (`customer_id`). Throws
/// forbidden, customer_not_found (another partner's customer).
[[nodiscard]] std::vector<user_record> users_visible(const store::read_view& view, const caller& who,
                                                     const std::string& partner_id, const std::string& customer_id);

/// A user `who` may see. Throws not_found (also for another organisation's user).
[[nodiscard]] user_record user_visible(const store::read_view& view, const caller& who, const std::string& id);

struct user_changes {
  std::optional<std::string> name, role, status, language;
};

/// Changes a user's name, role, status (active or disabled) or language. Disabling ends the
/// user's sessions. Nobody changes their own role or status (an admin cannot lock the
/// organisation out by accident). Throws not_found, bad_request, forbidden.
[[nodiscard]] user_record user_update(store::write_view& write, const caller& who, const std::string& id,
                                      const user_changes& changes, std::int64_t now);

/// A caller acting as `user` with their role. Throws unauthorized when the user is not active
/// or its role no longer exists.
[[nodiscard]] caller user_caller(const user_record& user);

/// user_caller, as a signed-in person acts now: a customer's person belongs to the customer's
/// current partner, and keeps only reading (own account, licenses, colleagues) while the
/// partner has not enabled self-service for the customer. Throws unauthorized (also when the
/// customer is gone).
[[nodiscard]] caller person_caller(const store::read_view& view, const user_record& user);

/// Disables a customer's people and ends their sessions (the customer is being deleted).
void people_of_customer_disable(store::write_view& write, const std::string& customer_id, std::int64_t now);

}  // namespace licensor::server
