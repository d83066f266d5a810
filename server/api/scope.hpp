// Which partner a request acts for. A partner acts only for itself; an operator acts on a
// partner's behalf by naming it. (Whether a record is visible is core's: visible_or_refuse.)
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


}  // namespace licensor::server
