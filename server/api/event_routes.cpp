// The event feed: what webhooks and mail deliver, readable by operators in order (to audit a
// receiver, or to poll instead of receiving).
#include <charconv>

#include "api/paging.hpp"
#include "api/routes.hpp"
#include "api/scope.hpp"
#include "core/events.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {

// GET /v1/events?after=SEQ&limit=N: events with seq > SEQ, oldest first. A feed, not a listing:
// poll again with after = last_seq, which stays put when nothing new has happened.
void event_list(service& svc, api_call& call, responder respond) {
  const auto limit = page_of(call).limit;
  std::uint64_t after = 0;
  if (const auto given = call.query.find("after"); given != call.query.end()) {
    const auto& text = given->second;
    const auto parsed = std::from_chars(text.data(), text.data() + text.size(), after);
    if (text.empty() || parsed.ec != std::errc{} || parsed.ptr != text.data() + text.size())
      refuse(errc::bad_request, "after must be an event's seq (a non-negative integer)");
  }
  const auto events = must(svc.read()->outbox_after(after, limit));
  auto items = nlohmann::json::array();
  for (const auto& event : events) items.push_back(event_envelope(event));
  respond(answer({{"items", std::move(items)}, {"last_seq", events.empty() ? after : events.back().seq}}));
}

// GET /v1/activity?limit=N: a partner's newest events, newest first, for its dashboard. What
// happened and to what, not the event's data: a partner's roles that may not read the ledger see
// the activity too.
void activity_list(service& svc, api_call& call, responder respond) {
  const auto partner_id = listing_partner(call);
  if (partner_id.empty()) refuse(errc::bad_request, "query 'partner_id' is required for operators");
  const auto limit = std::min<std::size_t>(page_of(call).limit, 100);
  auto items = nlohmann::json::array();
  for (const auto& event : must(svc.read()->partner_events_recent(partner_id, limit)))
    items.push_back({{"seq", event.seq}, {"type", event.type}, {"occurred_at", rfc3339_format(event.occurred_at)},
                     {"subject", event.subject}});
  respond(answer({{"items", std::move(items)}}));
}

}  // namespace licensor::server
