// Identifiers of new records.
#pragma once

#include <string>
#include <string_view>

namespace licensor::server {

/// An id with a type prefix, e.g. "lic_01j9x4k2m…": the creation time in milliseconds (9
/// characters), then 80 random bits (16 characters), in Crockford-like base32, so ids sort by
/// creation time. Why time first: every index keyed by a new id (a partner's licenses, a key's
/// licenses, the licenses themselves) then grows at its end, so one commit of many issuances
/// dirties a few pages of each index instead of one page per license (what a durable commit
/// writes and syncs). Ids are not secrets; the time they reveal is in the token too.
[[nodiscard]] std::string id_generate(std::string_view prefix);

}  // namespace licensor::server
