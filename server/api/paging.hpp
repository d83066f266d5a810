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

}  // namespace licensor::server
