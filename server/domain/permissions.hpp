// Roles as named sets of permissions: one matrix from role to permission (here) and from
// permission to route (api/router.cpp), documented together in docs/roles.md and on every
// operation of the OpenAPI document (x-licensor-permission).
//
// A role belongs to one kind of organisation: the vendor's operators, a partner, or a customer.
// A permission says what may be done; whose records it reaches is the core's isolation rule
// (core/caller.hpp): a partner's people see only that partner's records, a customer's people
// only that customer's.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>

namespace licensor::server {

enum class org_kind { operator_, partner, customer };

enum class permission : std::uint8_t {
  partners_read,        ///< list and read partners
  partners_manage,      ///< create and change partners, issue and revoke their API keys
  products_read,        ///< list and read products and their prices
  products_manage,      ///< create and change products and prices
  audit_read,           ///< the audit log
  keys_read,            ///< the signing keys and re-signing progress
  keys_manage,          ///< rotate and revoke signing keys
  customers_read,       ///< list and read customers
  customers_create,     ///< register customers
  customers_manage,     ///< change a customer's settings: whether its people may serve themselves
  customers_admin,      ///< delete and reassign customers (operators)
  licenses_read,        ///< list and read licenses, their tokens, members and delivery letters
  licenses_issue,       ///< issue licenses and create subscriptions
  licenses_hold,        ///< suspend and reinstate
  licenses_transfer,    ///< move a license to another customer of the same partner
  licenses_change,      ///< revoke, unlink, delete
  seats_change,         ///< set seats, add and remove members
  plans_change,         ///< upgrades, scheduled changes, auto-renew, trial conversion, reactivation
  subscriptions_cancel, ///< cancel (with its refund)
  ledger_read,          ///< ledgers and usage
  users_read,           ///< the organisation's users and roles
  users_manage,         ///< invite, change roles, disable users; the organisation's API keys
  operator_users_manage,///< operator users and operator API keys
  test_clock,           ///< the test clock (tests only)
  own_account,          ///< a signed-in person's own profile, password and sessions
  metrics_read,         ///< GET /metrics (operators' Prometheus)
  backups_create,       ///< take a backup of the store (POST /v1/backups)
  events_read,          ///< the event feed (GET /v1/events)
  webhooks_read,        ///< the organisation's webhook endpoints, their delivery logs, the event catalogue
  webhooks_manage,      ///< register, change, test and delete webhook endpoints; rotate their secrets; re-send
  letters_send,         ///< e-mail a license's delivery letter to its holder
  mail_read,            ///< the mail settings, templates and mail delivery log (operators)
  mail_manage,          ///< change the mail settings, replace templates (operators)
  licenses_correct,     ///< correct a license's expiry and features, re-signed (operators)
  count_                ///< not a permission: the number of them
};

/// The bits (1 << permission) of `permissions`.
[[nodiscard]] constexpr std::uint64_t permission_set(std::initializer_list<permission> permissions) {
  std::uint64_t bits = 0;
  for (const auto p : permissions) bits |= std::uint64_t{1} << static_cast<unsigned>(p);
  return bits;
}

/// A role: its name as the API spells it, its organisation kind, and what it may do.
struct role_definition {
  std::string_view name;
  org_kind kind;
  std::uint64_t permissions;  ///< bit (1 << permission)
  std::string_view summary;   ///< one line for docs/roles.md and GET /v1/roles
};

/// Every role, operators' first, then partners', then customers'.
[[nodiscard]] std::span<const role_definition> roles_all();

/// The role named `name` of organisation kind `kind`, or nullopt (an unknown name, or a role of
/// another kind: a partner cannot be given "owner").
[[nodiscard]] std::optional<role_definition> role_find(org_kind kind, std::string_view name);

/// True when `role` includes `p`.
[[nodiscard]] constexpr bool role_allows(const role_definition& role, permission p) {
  return (role.permissions >> static_cast<unsigned>(p)) & 1u;
}

/// The permission's name as the API and the docs spell it ("licenses_issue").
[[nodiscard]] std::string_view permission_name(permission p);

/// The organisation kind's name ("operator", "partner", "customer").
[[nodiscard]] std::string_view org_kind_name(org_kind kind);

}  // namespace licensor::server
