#include "core/expiry_notices.hpp"

#include <algorithm>
#include <string>

#include "core/events.hpp"
#include "core/refusal.hpp"
#include "core/subscription_views.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {
namespace {

// The entries of one kind of notice due by `through`, from where that sweep stands; moves its
// position past them. `visit(entry)` writes what is due for each.
template <class Visit>
bool sweep(store::write_view& write, const std::string& name, std::int64_t through, std::size_t limit, Visit visit) {
  const auto position = must(write.sweep_position(name));
  const auto entries = must(write.licenses_by_expiry(position, through, limit));
  for (const auto& entry : entries) visit(entry);
  if (!entries.empty()) must(write.sweep_position_set(name, entries.back().position));
  return entries.size() == limit;
}

std::optional<license_record> active_license(const store::read_view& view, const std::string& id) {
  auto license = must(view.license_get(id));
  if (!license || license->status != license_status::active) return std::nullopt;
  return license;
}

}  // namespace

expiry_sweep_outcome expiry_sweep_apply(store::write_view& write, const expiry_sweep_settings& settings, std::int64_t now,
                                        std::size_t limit) {
  expiry_sweep_outcome outcome;
  auto windows = settings.warn_days;
  std::sort(windows.begin(), windows.end());

  // A first run starts from now (or the grace before it, for expiries).
  if (must(write.sweep_position("started")).empty()) {
    const auto start = must(write.licenses_by_expiry("", now, SIZE_MAX - 1));
    std::string at_now = start.empty() ? std::string() : start.back().position;
    std::string at_grace;
    for (const auto& entry : start)
      if (entry.expires_at < now - settings.expired_grace_seconds) at_grace = entry.position;
    for (const int days : windows) must(write.sweep_position_set("expiring/" + std::to_string(days), at_now));
    must(write.sweep_position_set("trial_ending", at_now));
    must(write.sweep_position_set("expired", at_grace));
    must(write.sweep_position_set("started", "yes"));
  }

  for (std::size_t w = 0; w < windows.size(); ++w) {
    const int days = windows[w];
    const auto more = sweep(write, "expiring/" + std::to_string(days), now + days * day_seconds, limit, [&](const store::expiry_entry& entry) {
      if (entry.expires_at <= now) return;  // too late to warn: it expired
      // A nearer warning point also passed: that one is the warning it gets.
      if (w > 0 && entry.expires_at <= now + windows[w - 1] * day_seconds) return;
      const auto license = active_license(write, entry.license_id);
      if (!license) return;
      auto data = subscription_license_view(write, *license, now);
      data["days_left"] = days;
      event_append(write, "license.expiring", license->partner_id, "license:" + license->id, std::move(data), now);
      ++outcome.events;
    });
    outcome.more = outcome.more || more;
  }

  outcome.more = sweep(write, "trial_ending", now + settings.trial_warn_days * day_seconds, limit, [&](const store::expiry_entry& entry) {
    if (entry.expires_at <= now) return;
    const auto license = active_license(write, entry.license_id);
    if (!license) return;
    const auto terms = must(write.subscription_get(license->id));
    if (!terms || !terms->trial) return;
    subscription_event_append(write, "trial_ending", *license, now,
                              {{"days_left", (entry.expires_at - now + day_seconds - 1) / day_seconds}});
    ++outcome.events;
  }) || outcome.more;

  outcome.more = sweep(write, "expired", now, limit, [&](const store::expiry_entry& entry) {
    const auto license = active_license(write, entry.license_id);
    if (!license || license->expires_at != entry.expires_at) return;
    if (must(write.subscription_get(license->id))) return;  // its own subscription.expired
    license_event_append(write, "expired", *license, now);
    ++outcome.events;
  }) || outcome.more;
  return outcome;
}

}  // namespace licensor::server
