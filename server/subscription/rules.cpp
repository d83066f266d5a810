#include "subscription/rules.hpp"

#include <algorithm>

#include "subscription/charges.hpp"

namespace licensor::server::subscription {

std::uint32_t seats_total(const std::vector<seat_lot>& lots) noexcept {
  std::uint32_t total = 0;
  for (const auto& lot : lots) total += lot.count;
  return total;
}

std::uint32_t seats_needed(std::uint32_t members) noexcept { return members + owner_seats; }

result<void> member_add_allowed(bool already_member, std::uint32_t members, std::uint32_t seats) {
  if (already_member) return errc::member_exists;
  if (seats_needed(members + 1) > seats) return errc::seats_exhausted;
  return {};
}

result<void> conversion_seats_allowed(std::uint32_t trial_seats, std::uint32_t seats, std::uint32_t members) {
  if (seats < std::min(trial_seats, trial_default_seats)) return errc::conversion_not_allowed;
  if (seats < seats_needed(members)) return errc::seats_in_use;
  return {};
}

std::int64_t cancel_end(std::int64_t term_start, std::int64_t term_end, std::int64_t charged, std::int64_t now) noexcept {
  if (charged <= 0 || now >= term_end) return now;
  // The same day count as refund_prorated: the refund covers [end - unused days, end).
  const auto end = term_end - days_floor(now < term_start ? term_start : now, term_end) * day_seconds;
  return end < now ? now : end;
}

std::vector<seat_window> seat_windows_open(const std::vector<seat_lot>& lots, std::int64_t now) {
  std::vector<seat_window> open;
  for (const auto& lot : lots)
    if (lot.count > 0 && change_window_open(lot.added_at, now))
      open.push_back({lot.count, change_window_close(lot.added_at)});
  std::sort(open.begin(), open.end(), [](const seat_window& a, const seat_window& b) { return a.until < b.until; });
  return open;
}

result<seat_decrease> seat_decrease_plan(const std::vector<seat_lot>& lots, std::uint32_t remove, std::int64_t now) {
  if (remove == 0 || remove >= seats_total(lots)) return errc::bad_request;
  seat_decrease plan;
  plan.lots = lots;
  // Newest lots first: their windows close last, so removing them keeps nothing else closable.
  std::vector<std::size_t> order(plan.lots.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return plan.lots[a].added_at > plan.lots[b].added_at; });
  std::uint32_t left = remove;
  for (const auto i : order) {
    if (left == 0) break;
    auto& lot = plan.lots[i];
    if (lot.count == 0 || !change_window_open(lot.added_at, now)) continue;
    const auto taken = std::min(left, lot.count);
    auto removed = lot;
    removed.count = taken;
    plan.removed.push_back(removed);
    lot.count -= taken;
    left -= taken;
  }
  if (left != 0) return errc::seat_decrease_window_closed;
  plan.lots.erase(std::remove_if(plan.lots.begin(), plan.lots.end(), [](const seat_lot& l) { return l.count == 0; }),
                  plan.lots.end());
  return plan;
}

std::int64_t seat_decrease_refund(const std::vector<seat_lot>& removed, std::int64_t now) {
  std::int64_t refund = 0;
  for (const auto& lot : removed)
    refund += refund_prorated(lot.unit_charge * lot.count, lot.added_at, lot.term_end, now);
  return refund;
}

result<void> seat_change_allowed(const subscription_record& sub, license_status status) {
  if (sub.trial) return errc::trial_locked;
  if (status != license_status::active) return errc::subscription_not_active;
  return {};
}

result<void> suspend_allowed(const subscription_record& sub, license_status status) {
  if (sub.trial) return errc::trial_locked;
  if (status != license_status::active) return errc::subscription_not_active;
  return {};
}

result<void> reactivate_allowed(const subscription_record& sub, license_status status, std::int64_t now) {
  if (sub.trial) return errc::trial_locked;
  if (status != license_status::suspended || now >= sub.term_end) return errc::subscription_not_active;
  return {};
}

result<void> cancel_allowed(const subscription_record& sub, license_status status, std::int64_t now) {
  if (sub.trial) return errc::trial_locked;
  if (status != license_status::active && status != license_status::suspended) return errc::subscription_not_active;
  if (!change_window_open(sub.term_start, now)) return errc::cancel_window_closed;
  return {};
}

result<void> upgrade_tier_allowed(const std::vector<std::string>& tiers, std::string_view from, std::string_view to) {
  const auto to_it = std::find(tiers.begin(), tiers.end(), to);
  if (to_it == tiers.end()) return errc::tier_not_found;
  const auto from_it = std::find(tiers.begin(), tiers.end(), from);
  if (from_it != tiers.end() && to_it <= from_it) return errc::downgrade_not_allowed;
  return {};
}

result<void> scheduled_change_allowed(const subscription_record& sub, license_status status) {
  if (status != license_status::active) return errc::subscription_not_active;
  if (!sub.auto_renew) return errc::auto_renew_off;
  return {};
}

term_end_action term_end_due(const subscription_record& sub, license_status status, std::int64_t now,
                             bool issuing_allowed) {
  if (now < sub.term_end || !sub.base_license_id.empty()) return term_end_action::none;
  if (status != license_status::active && status != license_status::suspended) return term_end_action::none;
  if (status == license_status::suspended || !sub.auto_renew || (sub.trial && !issuing_allowed)) return term_end_action::expire;
  return sub.trial ? term_end_action::convert : term_end_action::renew;
}

next_term term_next(const subscription_record& sub) {
  const auto current = term_parse(sub.term).value_or(term_kind::monthly);
  const auto wanted = sub.scheduled.term.empty() ? current : term_parse(sub.scheduled.term).value_or(current);
  if (wanted != current) return term_fresh(wanted, sub.term_end);
  next_term next;
  next.term = std::string(term_name(current));
  next.anchor_at = sub.anchor_at;
  next.period = sub.period + 1;
  next.start = sub.term_end;
  next.end = term_end_of(sub.anchor_at, current, next.period);
  return next;
}

void term_enter(subscription_record& sub, const next_term& next) {
  sub.term = next.term;
  sub.anchor_at = next.anchor_at;
  sub.period = next.period;
  sub.term_start = next.start;
  sub.term_end = next.end;
}

next_term term_fresh(term_kind term, std::int64_t start) {
  next_term next;
  next.term = std::string(term_name(term));
  next.anchor_at = start;
  next.period = 1;
  next.start = start;
  next.end = term_end_of(start, term, 1);
  return next;
}

result<void> trial_conversion_target_ok(const subscription_record& trial, const license_record& trial_license,
                                        const subscription_record& target, const license_record& target_license) {
  if (target.trial || target_license.kind == license_kind::trial || target_license.status != license_status::active ||
      target_license.product != trial_license.product || target_license.customer_id != trial_license.customer_id ||
      target_license.id == trial_license.id || target.term_end < trial.term_end)
    return errc::conversion_not_allowed;
  return {};
}

}  // namespace licensor::server::subscription
