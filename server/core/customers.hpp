// Customers: partners register them (emails unique across the store) and see their own;
// operators delete or reassign one once no license binds it (README, "Customers: squatting,
// deletion and reassignment"). Every change is audited, and so is every registration refused
// because the email is taken, so squatting shows in the audit log.
#pragma once

#include <cstdint>
#include <optional>
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

/// Corrections to a customer's business information and settings; those not given stay. The
/// email is not among them: a registration's email stays, and a change of owner is a transfer.
struct customer_changes {
  std::optional<std::string> name;
  std::optional<std::string> vat_number;  ///< already checked and normalised; "" removes it
  std::optional<std::string> address;
  std::optional<bool> self_service;  ///< the customer's people manage its subscriptions (customer_admin: members, seats, plans, cancellation)
  std::optional<bool> manages_own_notifications;  ///< customer-facing mail goes to the customer, not its partner
  std::optional<std::string> language;            ///< of mail to the customer and its members: en, es, it
};

/// Corrects a customer. Audited ("customer.update") with each changed field before and after.
/// Throws customer_not_found, bad_request (a language mail is not written in).
[[nodiscard]] customer_record customer_details_set(store::write_view& write, const caller& who, std::string_view id,
                                                   const customer_changes& changes, std::int64_t now);

/// Deletes a customer with no license linked and no free-license slot held.
/// Throws customer_not_found, customer_has_licenses.
void customer_delete(store::write_view& write, const caller& who, std::string_view id, std::int64_t now);

/// Moves a customer with no license linked to another partner (its free-license slots and its
/// people go along).
/// Throws customer_not_found, partner_not_found, conflict (same partner), customer_has_licenses.
[[nodiscard]] customer_record customer_reassign(store::write_view& write, const caller& who, std::string_view id,
                                                const std::string& partner_id, std::int64_t now);

}  // namespace licensor::server
