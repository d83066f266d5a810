#include "domain/permissions.hpp"

#include <array>

namespace licensor::server {
namespace {

using enum permission;

// What every person may do with their own account.
constexpr auto own = permission_set({own_account});
constexpr auto partner_read = own | permission_set({products_read, customers_read, licenses_read});
constexpr auto partner_selling = partner_read | permission_set({customers_create, licenses_issue, letters_send});
constexpr auto partner_licenses = partner_selling | permission_set({customers_manage, licenses_hold, licenses_transfer, licenses_change,
                                                                   seats_change, plans_change, subscriptions_cancel, ledger_read});
constexpr auto operator_read = own | permission_set({partners_read, products_read, audit_read, keys_read, customers_read,
                                       licenses_read, ledger_read, users_read, metrics_read, events_read, webhooks_read,
                                       mail_read});
constexpr auto operator_all = (std::uint64_t{1} << static_cast<unsigned>(count_)) - 1;

constexpr std::array roles{
    role_definition{"owner", org_kind::operator_, operator_all,
                    "everything, including signing keys and operator users"},
    role_definition{"admin", org_kind::operator_,
                    operator_all & ~permission_set({keys_manage, operator_users_manage, test_clock}),
                    "everything but signing keys and operator users"},
    role_definition{"support", org_kind::operator_,
                    operator_read | permission_set({licenses_hold, licenses_transfer, letters_send}),
                    "reads everything; suspends, reinstates and transfers licenses; sends delivery letters"},
    role_definition{"billing", org_kind::operator_,
                    own | permission_set({partners_read, products_read, products_manage, customers_read, licenses_read, ledger_read}),
                    "ledgers and prices"},
    role_definition{"auditor", org_kind::operator_, operator_read, "reads everything, including the audit log"},

    role_definition{"global_admin", org_kind::partner,
                    partner_licenses | permission_set({users_read, users_manage, webhooks_read, webhooks_manage}),
                    "the partner's users and API keys, and everything an admin agent does"},
    role_definition{"admin_agent", org_kind::partner, partner_licenses,
                    "customers, licenses and subscriptions"},
    role_definition{"sales_agent", org_kind::partner, partner_selling,
                    "registers customers, issues licenses and subscriptions; no cancellations or refunds"},
    role_definition{"billing_admin", org_kind::partner, own | permission_set({products_read, customers_read, licenses_read, ledger_read}),
                    "ledger, prices and usage; no license changes"},
    role_definition{"helpdesk_agent", org_kind::partner, partner_read | permission_set({licenses_hold, letters_send}),
                    "reads; suspends, reinstates and resends delivery"},

    role_definition{"customer_admin", org_kind::customer,
                    own | permission_set({licenses_read, seats_change, plans_change, subscriptions_cancel, users_read, users_manage}),
                    "the customer's licenses and subscriptions: members, seats, plans, cancellation"},
    role_definition{"customer_member", org_kind::customer, own | permission_set({licenses_read}), "their own seat and token"},
};

constexpr std::array<std::string_view, static_cast<std::size_t>(count_)> permission_names{
    "partners_read",  "partners_manage", "products_read",  "products_manage", "audit_read",
    "keys_read",      "keys_manage",     "customers_read", "customers_create", "customers_manage", "customers_admin",
    "licenses_read",  "licenses_issue",  "licenses_hold",  "licenses_transfer", "licenses_change",  "seats_change",
    "plans_change",   "subscriptions_cancel", "ledger_read", "users_read",     "users_manage",
    "operator_users_manage", "test_clock", "own_account", "metrics_read", "backups_create", "events_read", "webhooks_read", "webhooks_manage",
    "letters_send", "mail_read", "mail_manage", "licenses_correct"};

}  // namespace

std::span<const role_definition> roles_all() { return roles; }

std::optional<role_definition> role_find(org_kind kind, std::string_view name) {
  for (const auto& role : roles) {
    if (role.kind == kind && role.name == name) return role;
  }
  return std::nullopt;
}

std::string_view permission_name(permission p) { return permission_names.at(static_cast<std::size_t>(p)); }

std::string_view org_kind_name(org_kind kind) {
  switch (kind) {
    case org_kind::operator_: return "operator";
    case org_kind::partner: return "partner";
    case org_kind::customer: return "customer";
  }
  return "unknown";
}

}  // namespace licensor::server
