// What GET /metrics reads at each scrape, beside the counters updated as requests go: the
// store's own families, the background jobs, the rate limiters' refusals, the licenses by
// status and kind, and the outbox with each webhook endpoint's lag.
#include <algorithm>
#include <array>

#include "api/service.hpp"

namespace licensor::server {

namespace {

using kind = metrics::exposition::kind;

void limiter_refusals_write(const service_limiters& limiters, metrics::exposition& out) {
  const std::array<std::pair<const char*, const rate_limiter*>, 6> all{{
      {"activate_per_client", &limiters.activate_by_client},
      {"activate_per_key", &limiters.activate_by_key},
      {"auth_failures_per_client", &limiters.auth_failures_by_client},
      {"sign_in_failures_per_client", &limiters.sign_in_failures_by_client},
      {"sign_in_failures_per_account", &limiters.sign_in_failures_by_account},
      {"sign_in_failures_per_device", &limiters.sign_in_failures_by_device},
  }};
  out.family("licensor_rate_limit_refusals_total", kind::counter, "Requests refused by a rate limit (429), by limit");
  for (const auto& [name, limiter] : all) out.sample({{"limit", name}}, static_cast<double>(limiter->refusals()));
}

// Every status and kind is written, with 0 for none, so that a series does not vanish when its
// last license changes.
void license_tallies_write(const store::store& store, metrics::exposition& out) {
  auto view = store.read();
  if (!view) return;
  auto tallies = (*view)->license_tallies();
  if (!tallies) return;
  constexpr std::array statuses{license_status::active, license_status::suspended, license_status::revoked,
                                license_status::expired, license_status::cancelled};
  constexpr std::array kinds{license_kind::free, license_kind::trial, license_kind::paid};
  out.family("licensor_licenses", kind::gauge, "Licenses in the store, by status and kind");
  for (const auto status : statuses)
    for (const auto license_kind : kinds) {
      std::uint64_t count = 0;
      for (const auto& tally : *tallies)
        if (tally.status == status && tally.kind == license_kind) count = tally.count;
      out.sample({{"status", std::string(license_status_name(status))}, {"kind", std::string(license_kind_name(license_kind))}},
                 static_cast<double>(count));
    }
}

// The outbox's size so far, and for each enabled endpoint how far behind it is: events not yet
// taken, events waiting for a retry, and the age of the oldest of either (0 when none).
void outbox_write(const store::store& store, std::int64_t now, metrics::exposition& out) {
  auto view = store.read();
  if (!view) return;
  auto last = (*view)->outbox_last_seq();
  auto endpoints = (*view)->webhook_endpoints();
  if (!last || !endpoints) return;
  out.family("licensor_outbox_events_total", kind::counter, "Events written to the outbox");
  out.sample({}, static_cast<double>(*last));
  struct lag {
    std::string id;
    double behind = 0, waiting = 0, seconds = 0;
  };
  std::vector<lag> lags;
  constexpr std::size_t waiting_counted_max = 1'000;
  for (const auto& endpoint : *endpoints) {
    if (!endpoint.enabled) continue;
    lag one{endpoint.id, static_cast<double>(*last - std::min(*last, endpoint.cursor))};
    std::int64_t oldest = 0;
    if (auto next = (*view)->outbox_after(endpoint.cursor, 1); next && !next->empty()) oldest = next->front().occurred_at;
    if (auto waiting = (*view)->deliveries_pending(endpoint.id, waiting_counted_max); waiting) {
      one.waiting = static_cast<double>(waiting->size());
      if (!waiting->empty()) {
        if (auto first = (*view)->outbox_after(waiting->front().seq - 1, 1); first && !first->empty())
          oldest = oldest == 0 ? first->front().occurred_at : std::min(oldest, first->front().occurred_at);
      }
    }
    one.seconds = oldest == 0 ? 0 : static_cast<double>(std::max<std::int64_t>(0, now - oldest));
    lags.push_back(std::move(one));
  }
  out.family("licensor_webhook_endpoint_behind_events", kind::gauge, "Events an enabled endpoint has not taken yet");
  for (const auto& one : lags) out.sample({{"endpoint", one.id}}, one.behind);
  out.family("licensor_webhook_endpoint_waiting_events", kind::gauge,
             "Events waiting for a retry at an enabled endpoint (counted up to 1000)");
  for (const auto& one : lags) out.sample({{"endpoint", one.id}}, one.waiting);
  out.family("licensor_webhook_endpoint_lag_seconds", kind::gauge,
             "Age of the oldest event an enabled endpoint has not had yet (0 when none)");
  for (const auto& one : lags) out.sample({{"endpoint", one.id}}, one.seconds);
}

}  // namespace

void service::metrics_collectors_add() {
  metrics_.collector_add([this](metrics::exposition& out) { store_->metrics_write(out); });
  metrics_.collector_add([this](metrics::exposition& out) { jobs_.metrics_write(out); });
  metrics_.collector_add([this](metrics::exposition& out) { limiter_refusals_write(limiters_, out); });
  metrics_.collector_add([this](metrics::exposition& out) { license_tallies_write(*store_, out); });
  metrics_.collector_add([this](metrics::exposition& out) { outbox_write(*store_, now(), out); });
}

}  // namespace licensor::server
