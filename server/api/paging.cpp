#include "api/paging.hpp"

#include <charconv>

#include "api/service.hpp"

namespace licensor::server {

page_request page_of(const api_call& call) {
  page_request page;
  if (const auto it = call.query.find("limit"); it != call.query.end()) {
    std::size_t limit = 0;
    const auto* end = it->second.data() + it->second.size();
    const auto parsed = std::from_chars(it->second.data(), end, limit);
    if (parsed.ec != std::errc() || parsed.ptr != end || limit == 0 || limit > 500)
      api_fail(errc::bad_request, "query 'limit' must be 1..500");
    page.limit = limit;
  }
  if (const auto it = call.query.find("after"); it != call.query.end()) page.after = it->second;
  return page;
}

api_response page_scan(const store::txn& snapshot, const char* db, const std::string& prefix,
                       const page_request& page,
                       const std::function<nlohmann::json(std::string_view, std::string_view)>& item) {
  auto items = nlohmann::json::array();
  std::string last;
  bool more = false;
  const std::string after = page.after.empty() ? std::string() : prefix + page.after;
  store_check(snapshot.scan(db, prefix, after, page.limit + 1, [&](std::string_view key, std::string_view value) {
    if (items.size() == page.limit) {
      more = true;
      return false;
    }
    last = std::string(key.substr(prefix.size()));
    if (auto listed = item(key, value); !listed.is_null()) items.push_back(std::move(listed));
    return true;
  }));
  return answer({{"items", std::move(items)}, {"next", more ? nlohmann::json(last) : nlohmann::json()}});
}

}  // namespace licensor::server
