// The filters and orders of the listings and their exports, read from the query: the licenses'
// (status, kind, product, tier, email prefix, expiry and issue ranges, compliance, app version;
// sorted by issue or expiry), the customers' (a prefix of email, name or VAT number; sorted by
// registration) and the audit log's. A prefix, a license status and an expiry order are answered
// by the store's indexes; the other filters are applied to what those give, in the index's order
// (api/paging.hpp: page_filtered).
#pragma once

#include <functional>
#include <map>
#include <optional>

#include "api/api_types.hpp"
#include "domain/records.hpp"
#include "store/store.hpp"

namespace licensor::server {

using license_filter = std::function<bool(const license_record&)>;

/// The licenses' filters of `call`'s query, or nullopt when it names none. Throws
/// refusal(bad_request) naming a bad value.
[[nodiscard]] std::optional<license_filter> license_filter_of(const api_call& call);

/// The pages of `partner_id`'s licenses (every license for an empty one) to filter, read from
/// `view` (which must outlive what is returned), in the order of ?sort: issued (the default) or
/// expires, ascending, or descending with '-' before it ("-issued": the newest first). Through
/// the store's email index for ?email=PREFIX in `query` (ordered by email; no sort), else its
/// expiry index for sort=expires (within ?expires_from and ?expires_to), else its status index
/// for ?status, else all of them. Throws refusal(bad_request) for a bad status, sort or time.
[[nodiscard]] std::function<store::page<license_record>(const store::page_request&)> license_pages_of(
    const std::map<std::string, std::string>& query, const store::read_view& view, std::string partner_id);

/// Orders one customer's few licenses (listed on one page, without an index) as ?sort in `query`
/// asks, the way license_pages_of does. Throws refusal(bad_request) for a bad sort.
void licenses_sort(std::vector<license_record>& licenses, const std::map<std::string, std::string>& query);

/// The pages of `partner_id`'s customers (every customer for an empty one), read from `view`
/// (which must outlive what is returned): for ?q=TEXT, those whose email, name or VAT number
/// starts with it (case-insensitive), through the store's search index, ordered by that text (no
/// sort); else all of them in the order of ?sort: registered (the default) or -registered.
/// Throws refusal(bad_request) for an empty or over-long q, or a bad sort.
[[nodiscard]] std::function<store::page<customer_record>(const store::page_request&)> customer_pages_of(
    const std::map<std::string, std::string>& query, const store::read_view& view, std::string partner_id);

using audit_filter = std::function<bool(const store::audit_entry&)>;

/// The audit log's filters of `call`'s query (action prefix, actor, target, time range), or an
/// empty function when it names none. Throws refusal(bad_request) naming a bad value.
[[nodiscard]] audit_filter audit_filter_of(const api_call& call);

/// ?order=oldest (the default: a cursor then follows the log as it grows) or ?order=newest.
/// Throws refusal(bad_request) for another value.
[[nodiscard]] store::order audit_order_of(const api_call& call);

/// ?from and ?to (RFC 3339): the ledger's period (GET /v1/ledger, its export). Throws
/// refusal(bad_request) naming a bad value.
[[nodiscard]] store::ledger_period ledger_period_of(const api_call& call);

}  // namespace licensor::server
