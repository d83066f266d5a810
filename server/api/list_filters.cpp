#include "api/list_filters.hpp"

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <vector>

#include "api/body_reader.hpp"
#include "api/paging.hpp"
#include "domain/search_text.hpp"
#include "licensor/app_version.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {
namespace {

using query_map = std::map<std::string, std::string>;

/// ?NAME as an RFC 3339 time, or nullopt when absent. Throws refusal(bad_request) for a bad one.
std::optional<std::int64_t> time_query(const query_map& query, const std::string& name) {
  const auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  const auto parsed = rfc3339_parse(it->second);
  if (!parsed) refuse(errc::bad_request, "query '" + name + "' must be an RFC 3339 time");
  return *parsed;
}

bool within(std::optional<std::int64_t> from, std::optional<std::int64_t> to, std::int64_t at) {
  return (!from || at >= *from) && (!to || at <= *to);
}

/// A listing's order: what it is sorted by, and which end first.
struct sort_order {
  std::string_view by;
  store::order direction = store::order::oldest_first;
};

/// ?sort=KEY (ascending) or ?sort=-KEY (descending), KEY one of `keys`; the first key, ascending,
/// when absent. Throws refusal(bad_request) naming the keys for another value.
sort_order sort_of(const query_map& query, std::initializer_list<std::string_view> keys) {
  const auto it = query.find("sort");
  if (it == query.end()) return {*keys.begin()};
  const std::string_view wanted = it->second;
  const bool descending = wanted.starts_with('-');
  for (const auto key : keys)
    if (wanted.substr(descending ? 1 : 0) == key)
      return {key, descending ? store::order::newest_first : store::order::oldest_first};
  std::string named;
  for (const auto key : keys) named += (named.empty() ? "" : ", ") + std::string(key);
  refuse(errc::bad_request, "query 'sort' must be one of " + named + ", each with '-' before it for the other way");
}

// ?q=TEXT, folded, or nullopt when absent. Throws refusal(bad_request) for an empty or
// over-long q.
std::optional<std::string> customer_search_of(const query_map& query) {
  const auto q = query.find("q");
  if (q == query.end()) return std::nullopt;
  if (q->second.empty() || q->second.size() > 200) refuse(errc::bad_request, "query 'q' must be 1-200 characters");
  return text_folded(q->second);
}

}  // namespace

// Each filter optional, all of them applying: ?status, ?kind, ?product, ?tier;
// ?email=PREFIX (case-insensitive); ?expires_from, ?expires_to, ?issued_from, ?issued_to (RFC
// 3339, inclusive; a perpetual license has no expiry, so an expiry range leaves it out);
// ?compliance=flagged|compliant (flagged: a finding stands); ?app_version_below=V (last seen on
// an older version, or never seen): the licenses a partner has to act on.
std::optional<license_filter> license_filter_of(const api_call& call) {
  using check = license_filter;
  std::vector<check> checks;
  const auto query = [&](const char* name) -> const std::string* {
    const auto it = call.query.find(name);
    return it == call.query.end() ? nullptr : &it->second;
  };
  if (const auto* status = query("status")) {
    const auto wanted = license_status_parse(*status);
    if (!wanted) refuse(errc::bad_request, "query 'status' must be active, suspended, revoked, expired or cancelled");
    checks.emplace_back([wanted = *wanted](const license_record& l) { return l.status == wanted; });
  }
  if (const auto* kind = query("kind")) {
    const auto wanted = license_kind_parse(*kind);
    if (!wanted) refuse(errc::bad_request, "query 'kind' must be free, trial or paid");
    checks.emplace_back([wanted = *wanted](const license_record& l) { return l.kind == wanted; });
  }
  if (const auto* product = query("product"))
    checks.emplace_back([wanted = *product](const license_record& l) { return l.product == wanted; });
  if (const auto* tier = query("tier")) checks.emplace_back([wanted = *tier](const license_record& l) { return l.tier == wanted; });
  if (const auto* email = query("email"))
    checks.emplace_back([prefix = text_folded(*email)](const license_record& l) { return text_folded(l.email).rfind(prefix, 0) == 0; });
  const auto time_bound = [&](const char* name) { return time_query(call.query, name); };
  if (const auto from = time_bound("expires_from"), to = time_bound("expires_to"); from || to)
    checks.emplace_back([=](const license_record& l) { return l.expires_at != 0 && within(from, to, l.expires_at); });
  if (const auto from = time_bound("issued_from"), to = time_bound("issued_to"); from || to)
    checks.emplace_back([=](const license_record& l) { return within(from, to, l.issued_at); });
  if (const auto* compliance = query("compliance")) {
    if (*compliance != "flagged" && *compliance != "compliant")
      refuse(errc::bad_request, "query 'compliance' must be flagged or compliant");
    checks.emplace_back([flagged = *compliance == "flagged"](const license_record& l) { return l.compliance.flagged() == flagged; });
  }
  if (const auto* below = query("app_version_below")) {
    if (!app_version_well_formed(*below)) refuse(errc::bad_request, "query 'app_version_below' must be a version like \"20\"");
    checks.emplace_back([below = *below](const license_record& l) {
      if (l.app_version_seen.empty()) return true;
      const auto compared = app_version_compare(l.app_version_seen, below);
      return !compared.ok() || *compared < 0;
    });
  }
  if (checks.empty()) return std::nullopt;
  return [checks = std::move(checks)](const license_record& license) {
    return std::all_of(checks.begin(), checks.end(), [&](const check& keep) { return keep(license); });
  };
}


std::function<store::page<license_record>(const store::page_request&)> license_pages_of(
    const query_map& query, const store::read_view& view, std::string partner_id) {
  const auto sort = sort_of(query, {"issued", "expires"});
  if (const auto email = query.find("email"); email != query.end()) {
    if (query.contains("sort")) refuse(errc::bad_request, "query 'email' lists by email: it takes no 'sort'");
    return [&view, partner_id, prefix = text_folded(email->second)](const store::page_request& page) {
      return must(view.licenses_by_email(partner_id, prefix, page));
    };
  }
  if (sort.by == "expires") {
    const store::expiry_range range{time_query(query, "expires_from").value_or(0), time_query(query, "expires_to").value_or(0)};
    return [&view, partner_id, range, direction = sort.direction](const store::page_request& page) {
      return must(view.licenses_by_expires(partner_id, range, page, direction));
    };
  }
  if (const auto status = query.find("status"); status != query.end()) {
    const auto wanted = license_status_parse(status->second);
    if (!wanted) refuse(errc::bad_request, "query 'status' must be active, suspended, revoked, expired or cancelled");
    return [&view, partner_id, wanted = *wanted, direction = sort.direction](const store::page_request& page) {
      return must(view.licenses_by_status(partner_id, wanted, page, direction));
    };
  }
  return [&view, partner_id, direction = sort.direction](const store::page_request& page) {
    return must(view.licenses_list(partner_id, page, direction));
  };
}

void licenses_sort(std::vector<license_record>& licenses, const query_map& query) {
  const auto sort = sort_of(query, {"issued", "expires"});
  // A license that never expires sorts after every time, as in the store's expiry index.
  const auto expiry = [](const license_record& l) { return l.expires_at == 0 ? INT64_MAX : l.expires_at; };
  std::sort(licenses.begin(), licenses.end(), [&](const license_record& a, const license_record& b) {
    const auto& [first, second] = sort.direction == store::order::oldest_first ? std::tie(a, b) : std::tie(b, a);
    if (sort.by == "expires" && expiry(first) != expiry(second)) return expiry(first) < expiry(second);
    return first.id < second.id;
  });
}

std::function<store::page<customer_record>(const store::page_request&)> customer_pages_of(
    const query_map& query, const store::read_view& view, std::string partner_id) {
  const auto sort = sort_of(query, {"registered"});
  if (const auto search = customer_search_of(query)) {
    if (query.contains("sort")) refuse(errc::bad_request, "query 'q' lists by the text found: it takes no 'sort'");
    return [&view, partner_id, prefix = *search](const store::page_request& page) {
      return must(view.customers_search(partner_id, prefix, page));
    };
  }
  return [&view, partner_id, direction = sort.direction](const store::page_request& page) {
    return must(view.customers_list(partner_id, page, direction));
  };
}

store::ledger_period ledger_period_of(const api_call& call) {
  return {time_query(call.query, "from").value_or(0), time_query(call.query, "to").value_or(0)};
}

// ?action=PREFIX ("license." for every change of a license), ?actor and ?target (exact), ?from and
// ?to (RFC 3339, inclusive).
audit_filter audit_filter_of(const api_call& call) {
  const auto text = [&](const char* name, std::size_t longest) -> std::string {
    const auto it = call.query.find(name);
    if (it == call.query.end()) return "";
    if (it->second.empty() || it->second.size() > longest)
      refuse(errc::bad_request, "query '" + std::string(name) + "' must be 1-" + std::to_string(longest) + " characters");
    return it->second;
  };
  const auto from = time_query(call.query, "from"), to = time_query(call.query, "to");
  const auto action = text("action", 100), actor = text("actor", 200), target = text("target", 200);
  if (action.empty() && actor.empty() && target.empty() && !from && !to) return {};
  return [=](const store::audit_entry& entry) {
    return entry.action.rfind(action, 0) == 0 && (actor.empty() || entry.actor == actor) &&
           (target.empty() || entry.target == target) && within(from, to, entry.at);
  };
}

store::order audit_order_of(const api_call& call) {
  const auto it = call.query.find("order");
  if (it == call.query.end() || it->second == "oldest") return store::order::oldest_first;
  if (it->second == "newest") return store::order::newest_first;
  refuse(errc::bad_request, "query 'order' must be 'oldest' or 'newest'");
}

}  // namespace licensor::server
