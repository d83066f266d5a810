// What GET /metrics reads at each scrape, beside the counters updated as requests go: the
// store's own families, the background jobs, the rate limiters' refusals and the licenses by
// status and kind.
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

}  // namespace

void service::metrics_collectors_add() {
  metrics_.collector_add([this](metrics::exposition& out) { store_->metrics_write(out); });
  metrics_.collector_add([this](metrics::exposition& out) { jobs_.metrics_write(out); });
  metrics_.collector_add([this](metrics::exposition& out) { limiter_refusals_write(limiters_, out); });
  metrics_.collector_add([this](metrics::exposition& out) { license_tallies_write(*store_, out); });
}

}  // namespace licensor::server
