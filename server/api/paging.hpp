// Cursor paging for listings: ?limit=N (1..500, default 100) and ?after=<last key seen>.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/api_types.hpp"
#include "store/lmdb.hpp"

namespace licensor::server {

struct page_request {
  std::size_t limit = 100;
  std::string after;
};

[[nodiscard]] page_request page_of(const api_call& call);

/// Scans `db` under `prefix` from the page's cursor; `item(key, value)` returns the JSON to
/// list, or null to skip. Answers {"items": [...], "next": cursor or null}.
[[nodiscard]] api_response page_scan(const store::txn& snapshot, const char* db, const std::string& prefix,
                                     const page_request& page,
                                     const std::function<nlohmann::json(std::string_view, std::string_view)>& item);

}  // namespace licensor::server
