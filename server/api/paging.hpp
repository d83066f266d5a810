// Cursor paging for listings: ?limit=N (1..500, default 100) and ?after=<cursor>. The cursor is
// the `next` of the previous page, opaque to clients (the store chooses what it encodes).
#pragma once

#include <nlohmann/json.hpp>

#include "api/api_types.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// The page a listing asks for. Throws refusal(bad_request) for a bad limit.
[[nodiscard]] store::page_request page_of(const api_call& call);

/// {"items": [view(item)...], "next": cursor or null}.
template <class Item, class View>
[[nodiscard]] api_response page_answer(const store::page<Item>& page, View view) {
  auto items = nlohmann::json::array();
  for (const auto& item : page.items) items.push_back(view(item));
  return answer({{"items", std::move(items)}, {"next", page.next.empty() ? nlohmann::json() : nlohmann::json(page.next)}});
}


/// A filtered listing: the items `keep` accepts, read through `read(page_request)` in store
/// order. It reads on until `request.limit` items are kept or `scan_max` were looked at, so a
/// page may hold fewer items than asked (even none) with a `next` that goes on from there.
template <class Item, class Read, class Keep>
[[nodiscard]] store::page<Item> page_filtered(const store::page_request& request, Read read, Keep keep,
                                              std::size_t scan_max = 5'000) {
  store::page<Item> out;
  store::page_request at = request;
  for (std::size_t scanned = 0;;) {
    at.limit = request.limit - out.items.size();
    auto got = read(at);
    scanned += got.items.size();
    for (auto& item : got.items)
      if (keep(item)) out.items.push_back(std::move(item));
    out.next = got.next;
    if (got.next.empty() || out.items.size() == request.limit || scanned >= scan_max) return out;
    at.after = got.next;
  }
}

}  // namespace licensor::server
