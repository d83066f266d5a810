// Partner isolation. A partner acts only for itself and sees only its own records; an
// operator acts on a partner's behalf by naming it. A record of another partner is answered
// as "not found", never "forbidden", so partners cannot probe each other's ids.
#pragma once

#include <string>

#include "api/api_types.hpp"
#include "api/body_reader.hpp"

namespace licensor::server {

/// The partner a change is made for: the caller itself, or for an operator the `partner_id`
/// field of the body (required then). Throws bad_request.
[[nodiscard]] std::string acting_partner(const api_call& call, const body_reader& body);

/// For listings: the caller's partner, an operator's `partner_id` query filter, or empty
/// (an operator listing everything).
[[nodiscard]] std::string listing_partner(const api_call& call);

/// Throws `missing` unless the caller may see a record owned by `owner_partner_id`.
void visible_or_fail(const api_call& call, const std::string& owner_partner_id, errc missing);

}  // namespace licensor::server
