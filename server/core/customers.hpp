// Customers: partners register them (emails unique across the store) and see their own;
// operators delete or reassign one once no license binds it (README, "Customers: squatting,
// deletion and reassignment"). Every change is audited, and so is every registration refused
// because the email is taken, so squatting shows in the audit log.
#pragma once

#include <cstdint>
#include <string>

#include "core/caller.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// Registers `customer` (id, partner, normalised email, name, VAT number already set). The
/// refusal email_taken is returned, not thrown, because it is committed with its audit entry.
/// Throws partner_not_found.
[[nodiscard]] result<customer_record> customer_register(store::write_view& write, const caller& who,
                                                        const customer_record& customer, std::int64_t now);

/// The customer `id` if `who` may see it. Throws customer_not_found.
[[nodiscard]] customer_record customer_visible(const store::read_view& view, const caller& who, std::string_view id);

/// Lets the customer's people manage its subscriptions themselves (customer_admin: members,
/// seats, plans, cancellation), or stops them; they keep reading either way. Audited.
/// Throws customer_not_found.
[[nodiscard]] customer_record customer_self_service_set(store::write_view& write, const caller& who, std::string_view id,
                                                        bool allowed, std::int64_t now);

/// Deletes a customer with no license linked and no free-license slot held.
/// Throws customer_not_found, customer_has_licenses.
void customer_delete(store::write_view& write, const caller& who, std::string_view id, std::int64_t now);

/// Moves a customer with no license linked to another partner (its free-license slots and its
/// people go along).
/// Throws customer_not_found, partner_not_found, conflict (same partner), customer_has_licenses.
[[nodiscard]] customer_record customer_reassign(store::write_view& write, const caller& who, std::string_view id,
                                                const std::string& partner_id, std::int64_t now);

}  // namespace licensor::server
