// The filters of the listings and their exports, read from the query: the licenses' (status,
// kind, product, tier, email prefix, expiry and issue ranges, compliance, app version) and the
// customers' (a prefix of email, name or VAT number). A prefix is answered by the store's search
// indexes; the other filters are applied to the records in store order (api/paging.hpp:
// page_filtered).
#pragma once

#include <functional>
#include <optional>

#include "api/api_types.hpp"
#include "domain/records.hpp"
#include "store/store.hpp"

namespace licensor::server {

using license_filter = std::function<bool(const license_record&)>;

/// The licenses' filters of `call`'s query, or nullopt when it names none. Throws
/// refusal(bad_request) naming a bad value.
[[nodiscard]] std::optional<license_filter> license_filter_of(const api_call& call);

/// ?q=TEXT: customers whose email, name or VAT number starts with it (case-insensitive), found
/// through the store's search index; the folded TEXT, or nullopt when absent. Throws
/// refusal(bad_request) for an empty or over-long q.
[[nodiscard]] std::optional<std::string> customer_search_of(const api_call& call);

/// ?email=PREFIX, folded: the licenses' filter the store's email index answers; nullopt when absent.
[[nodiscard]] std::optional<std::string> license_email_prefix_of(const api_call& call);

/// ?from and ?to (RFC 3339): the ledger's period (GET /v1/ledger, its export). Throws
/// refusal(bad_request) naming a bad value.
[[nodiscard]] store::ledger_period ledger_period_of(const api_call& call);

}  // namespace licensor::server
