// Who asks: an operator, a partner's or a customer's person or API key, or nobody in particular
// (an app activating or validating). Operations use it to check a permission the route did not
// settle, to scope what is visible and to sign the audit log.
#pragma once

#include <cstdint>
#include <string>

#include "core/refusal.hpp"
#include "domain/permissions.hpp"

namespace licensor::server {

enum class caller_kind { anonymous, operator_, partner, customer };

struct caller {
  caller_kind kind = caller_kind::anonymous;
  std::string partner_id;  ///< for partners' and customers' people: the partner they belong to
  std::string id;          ///< "operator", "partner:<partner>:<key>", "user:<id>", "scheduler"...: for audit and idempotency
  std::string role;        ///< the role's name (domain/permissions.hpp); empty for the server's own jobs
  std::uint64_t permissions = 0;  ///< the role's permissions
  std::string customer_id;        ///< for customers' people
  std::string user_id;            ///< a signed-in person (core/people.hpp); empty for keys and jobs
  std::string email;              ///< a signed-in person's email (a customer member reaches the licenses it holds a seat of)
  std::string session_hash;       ///< the session they signed in with (core/sessions.hpp)
  /// Permissions the role has but this caller may not use now, and why (a customer whose
  /// partner has not allowed self-service; a person who must enrol TOTP first). Their routes
  /// answer 403 with the reason.
  std::uint64_t withheld = 0;
  std::string withheld_because;
  /// The request this caller made (its X-Request-Id), recorded in the audit entries of its
  /// changes; empty for the server's own jobs.
  std::string request_id;

  /// True when the caller's role includes `p`.
  [[nodiscard]] bool may(permission p) const { return (permissions >> static_cast<unsigned>(p)) & 1u; }
};

/// Who acts when no role is involved: the server's own jobs ("scheduler"), an app activating
/// ("customer:<email>"), a client that failed to authenticate. Named for the audit log only.
[[nodiscard]] inline caller caller_named(caller_kind kind, std::string id) {
  caller who;
  who.kind = kind;
  who.id = std::move(id);
  return who;
}

/// `who` acting under another name for the audit log ("customer:<email>" for an app activating),
/// keeping its request id.
[[nodiscard]] inline caller caller_acting_as(const caller& who, std::string id) {
  caller as = caller_named(who.kind, std::move(id));
  as.request_id = who.request_id;
  return as;
}

/// A caller holding `role` (its kind, permissions and name).
[[nodiscard]] inline caller caller_with_role(caller_kind kind, std::string partner_id, std::string id,
                                             const role_definition& role) {
  caller who = caller_named(kind, std::move(id));
  who.partner_id = std::move(partner_id);
  who.role = std::string(role.name);
  who.permissions = role.permissions;
  return who;
}

/// Throws forbidden unless `who` may do `p` (for a check that depends on the record, beyond
/// the route's own permission).
inline void permitted_or_refuse(const caller& who, permission p) {
  if (who.may(p)) return;
  if ((who.withheld >> static_cast<unsigned>(p)) & 1u) refuse(errc::forbidden, who.withheld_because);
  refuse(errc::forbidden, "your role does not allow " + std::string(permission_name(p)));
}

/// Takes every permission but `kept` from `who`, saying `because` when one is asked for.
inline void permissions_withhold(caller& who, std::uint64_t kept, std::string because) {
  who.withheld |= who.permissions & ~kept;
  who.permissions &= kept;
  who.withheld_because = std::move(because);
}

/// Isolation: throws `missing` unless `who` may see a record owned by `owner_partner_id` (and,
/// for a customer's people, `owner_customer_id`). Operators see everything; a partner's people
/// only their partner's records; a customer's people only their customer's. Another
/// organisation's record is "not found", never "forbidden", so nobody can probe others' ids.
inline void visible_or_refuse(const caller& who, const std::string& owner_partner_id, errc missing,
                              const std::string& owner_customer_id = {}) {
  if (who.kind == caller_kind::partner && owner_partner_id != who.partner_id) refuse(missing);
  if (who.kind == caller_kind::customer && (owner_partner_id != who.partner_id || owner_customer_id != who.customer_id))
    refuse(missing);
}

}  // namespace licensor::server
