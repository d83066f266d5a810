// Whose licenses a caller reaches. Operators reach every license; a partner's people and keys
// their partner's; a customer admin their customer's; a customer member only the licenses it
// holds a seat of (the license's own email, or a member's). Anything else is "not found", so
// nobody can probe another organisation's ids.
#pragma once

#include <vector>

#include "core/caller.hpp"
#include "domain/records.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// True when `who` reaches `license`.
[[nodiscard]] bool license_reached(const store::read_view& view, const caller& who, const license_record& license);

/// Throws license_not_found unless `who` reaches `license`.
void license_reach_or_refuse(const store::read_view& view, const caller& who, const license_record& license);

/// The licenses a customer's person reaches, in a stable order. Throws forbidden for other callers.
[[nodiscard]] std::vector<license_record> licenses_of_customer_person(const store::read_view& view, const caller& who);

}  // namespace licensor::server
