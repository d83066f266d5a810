#include "api/paging.hpp"

#include <charconv>

namespace licensor::server {

store::page_request page_of(const api_call& call) {
  store::page_request page;
  if (const auto it = call.query.find("limit"); it != call.query.end()) {
    std::size_t limit = 0;
    const auto* end = it->second.data() + it->second.size();
    const auto parsed = std::from_chars(it->second.data(), end, limit);
    if (parsed.ec != std::errc() || parsed.ptr != end || limit == 0 || limit > 500)
      refuse(errc::bad_request, "query 'limit' must be 1..500");
    page.limit = limit;
  }
  if (const auto it = call.query.find("after"); it != call.query.end()) page.after = it->second;
  return page;
}

}  // namespace licensor::server
