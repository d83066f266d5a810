#include <doctest/doctest.h>

#include "subscription/rules.hpp"
#include "time_text.hpp"

using licensor::errc;
using namespace licensor::server;
using namespace licensor::server::subscription;

using licensor::testing::at;

namespace {
const auto t0 = at("2031-03-01T09:00:00Z");

subscription_record paid_monthly() {
  subscription_record s;
  s.license_id = "lic_x";
  s.term = "monthly";
  s.anchor_at = t0;
  s.term_start = t0;
  s.term_end = term_end_of(t0, term_kind::monthly, 1);
  s.lots = {seat_lot{5, t0, 1'000, s.term_end}};
  return s;
}
}  // namespace

TEST_CASE("seat decreases: day 7 after the seats were added is allowed, day 8 is not") {
  const std::vector<seat_lot> lots{{5, t0, 1'000, t0 + 31 * day_seconds}};
  auto day7 = seat_decrease_plan(lots, 2, t0 + 7 * day_seconds);
  REQUIRE(day7);
  CHECK(seats_total(day7->lots) == 3);
  CHECK(seats_total(day7->removed) == 2);
  const auto day8 = seat_decrease_plan(lots, 2, t0 + 8 * day_seconds);
  REQUIRE_FALSE(day8);
  CHECK(day8.error() == errc::seat_decrease_window_closed);
}

TEST_CASE("seat decreases take only seats whose own window is open, newest first") {
  const auto topup = t0 + 10 * day_seconds;
  const std::vector<seat_lot> lots{{5, t0, 1'000, t0 + 31 * day_seconds}, {3, topup, 700, t0 + 31 * day_seconds}};
  const auto now = topup + 2 * day_seconds;  // day 12 of the purchase, day 2 of the top-up
  const auto windows = seat_windows_open(lots, now);
  REQUIRE(windows.size() == 1);
  CHECK(windows[0].seats == 3);
  CHECK(windows[0].until == topup + 8 * day_seconds);
  CHECK(seat_decrease_plan(lots, 3, now));
  CHECK(seat_decrease_plan(lots, 4, now).error() == errc::seat_decrease_window_closed);
  CHECK(seat_decrease_plan(lots, 0, now).error() == errc::bad_request);
  CHECK(seat_decrease_plan(lots, 8, now).error() == errc::bad_request);  // a license keeps a seat
}

TEST_CASE("the refund of removed seats is prorated by day") {
  const auto end = t0 + 30 * day_seconds;
  const std::vector<seat_lot> removed{{2, t0, 3'000, end}};
  CHECK(seat_decrease_refund(removed, t0 + 3 * day_seconds) == 2 * 2'700);
}

TEST_CASE("cancellation: within 7 days of the term's start, final, not for trials") {
  auto s = paid_monthly();
  CHECK(cancel_allowed(s, license_status::active, t0 + 7 * day_seconds));
  CHECK(cancel_allowed(s, license_status::active, t0 + 8 * day_seconds).error() == errc::cancel_window_closed);
  CHECK(cancel_allowed(s, license_status::suspended, t0 + day_seconds));
  CHECK(cancel_allowed(s, license_status::cancelled, t0 + day_seconds).error() == errc::subscription_not_active);
  CHECK(cancel_allowed(s, license_status::expired, t0 + day_seconds).error() == errc::subscription_not_active);
  // A renewal opens a new window.
  s.term_start = s.term_end;
  CHECK(cancel_allowed(s, license_status::active, s.term_start + 7 * day_seconds));
  s.trial = true;
  CHECK(cancel_allowed(s, license_status::active, s.term_start).error() == errc::trial_locked);
}

TEST_CASE("trials lock seat and status changes") {
  auto s = paid_monthly();
  s.trial = true;
  CHECK(seat_change_allowed(s, license_status::active).error() == errc::trial_locked);
  CHECK(suspend_allowed(s, license_status::active).error() == errc::trial_locked);
  CHECK(reactivate_allowed(s, license_status::suspended, t0).error() == errc::trial_locked);
  s.trial = false;
  CHECK(seat_change_allowed(s, license_status::active));
  CHECK(seat_change_allowed(s, license_status::suspended).error() == errc::subscription_not_active);
  CHECK(suspend_allowed(s, license_status::active));
  CHECK(reactivate_allowed(s, license_status::suspended, s.term_end - 1));
  CHECK(reactivate_allowed(s, license_status::suspended, s.term_end).error() == errc::subscription_not_active);
  CHECK(reactivate_allowed(s, license_status::active, t0).error() == errc::subscription_not_active);
}

TEST_CASE("upgrades go only to a higher-ranked tier") {
  const std::vector<std::string> tiers{"basic", "pro", "enterprise"};
  CHECK(upgrade_tier_allowed(tiers, "basic", "pro"));
  CHECK(upgrade_tier_allowed(tiers, "basic", "enterprise"));
  CHECK(upgrade_tier_allowed(tiers, "pro", "basic").error() == errc::downgrade_not_allowed);
  CHECK(upgrade_tier_allowed(tiers, "pro", "pro").error() == errc::downgrade_not_allowed);
  CHECK(upgrade_tier_allowed(tiers, "pro", "gold").error() == errc::tier_not_found);
}

TEST_CASE("scheduled changes need an active license with auto_renew on") {
  auto s = paid_monthly();
  CHECK(scheduled_change_allowed(s, license_status::active));
  CHECK(scheduled_change_allowed(s, license_status::suspended).error() == errc::subscription_not_active);
  s.auto_renew = false;
  CHECK(scheduled_change_allowed(s, license_status::active).error() == errc::auto_renew_off);
}

TEST_CASE("at the end of a term: renew, expire or convert") {
  auto s = paid_monthly();
  CHECK(term_end_due(s, license_status::active, s.term_end - 1, true) == term_end_action::none);
  CHECK(term_end_due(s, license_status::active, s.term_end, true) == term_end_action::renew);
  CHECK(term_end_due(s, license_status::suspended, s.term_end, true) == term_end_action::expire);
  CHECK(term_end_due(s, license_status::cancelled, s.term_end, true) == term_end_action::none);
  CHECK(term_end_due(s, license_status::revoked, s.term_end, true) == term_end_action::none);
  s.auto_renew = false;
  CHECK(term_end_due(s, license_status::active, s.term_end, true) == term_end_action::expire);
  s.auto_renew = true;
  s.trial = true;
  CHECK(term_end_due(s, license_status::active, s.term_end, true) == term_end_action::convert);
  // A partner that may not issue (can_issue off): the trial does not become paid, it expires.
  CHECK(term_end_due(s, license_status::active, s.term_end, false) == term_end_action::expire);
  s.trial = false;
  s.base_license_id = "lic_base";  // an add-on follows its base instead
  CHECK(term_end_due(s, license_status::active, s.term_end, true) == term_end_action::none);
}

TEST_CASE("renewals of what a partner sold go on when it may no longer issue") {
  auto s = paid_monthly();
  CHECK(term_end_due(s, license_status::active, s.term_end, false) == term_end_action::renew);
}

TEST_CASE("the owner holds a seat: N seats are the owner and N - 1 members") {
  CHECK(seats_needed(0) == 1);
  CHECK(seats_needed(4) == 5);
  CHECK(member_add_allowed(false, 0, 2));
  CHECK(member_add_allowed(false, 1, 2).error() == errc::seats_exhausted);
  CHECK(member_add_allowed(false, 0, 1).error() == errc::seats_exhausted);  // one seat: the owner's
}

TEST_CASE("a duplicate member is member_exists even when every seat is taken") {
  CHECK(member_add_allowed(true, 1, 2).error() == errc::member_exists);
  CHECK(member_add_allowed(true, 0, 5).error() == errc::member_exists);
}

TEST_CASE("a trial converted before its end keeps its 25 seats") {
  CHECK(conversion_seats_allowed(25, 25, 0));
  CHECK(conversion_seats_allowed(25, 40, 0));
  CHECK(conversion_seats_allowed(25, 24, 0).error() == errc::conversion_not_allowed);
  CHECK(conversion_seats_allowed(25, 5, 0).error() == errc::conversion_not_allowed);
  CHECK(conversion_seats_allowed(40, 25, 0));       // the floor is the default, not the trial's count
  CHECK(conversion_seats_allowed(10, 10, 0));       // a trial made smaller keeps its own count
  CHECK(conversion_seats_allowed(10, 9, 0).error() == errc::conversion_not_allowed);
  CHECK(conversion_seats_allowed(25, 25, 25).error() == errc::seats_in_use);  // 25 members and the owner
}

TEST_CASE("a cancelled term ends where its refund starts") {
  const auto start = t0;
  const auto end = t0 + 31 * day_seconds;
  // On the first second: every day is refunded, so it ends now.
  CHECK(cancel_end(start, end, 3'100, start) == start);
  // Mid-day: the started day was paid and not refunded, so it ends with that day.
  CHECK(cancel_end(start, end, 3'100, start + 3 * day_seconds + 100) == start + 4 * day_seconds);
  CHECK(cancel_end(start, end, 3'100, start + 3 * day_seconds) == start + 3 * day_seconds);
  // Nothing was charged (a trial, a 100% discount): nothing to keep.
  CHECK(cancel_end(start, end, 0, start + 3 * day_seconds + 100) == start + 3 * day_seconds + 100);
  CHECK(cancel_end(start, end, 3'100, end + 5) == end + 5);
}

TEST_CASE("the next term keeps the anchor; a scheduled term change starts a new one") {
  auto s = paid_monthly();
  auto next = term_next(s);
  CHECK(next.start == s.term_end);
  CHECK(next.period == 2);
  CHECK(next.end == term_end_of(t0, term_kind::monthly, 2));
  s.scheduled.term = "annual";
  next = term_next(s);
  CHECK(next.term == "annual");
  CHECK(next.anchor_at == s.term_end);
  CHECK(next.end == term_end_of(s.term_end, term_kind::annual, 1));
}

TEST_CASE("a trial converts only into an active paid subscription ending on or after the trial") {
  subscription_record trial;
  trial.trial = true;
  trial.term_end = t0 + 30 * day_seconds;
  license_record trial_license;
  trial_license.id = "lic_t";
  trial_license.product = "app";
  trial_license.customer_id = "cus_1";
  trial_license.kind = licensor::license_kind::trial;
  auto target = paid_monthly();
  target.term_end = trial.term_end;
  license_record target_license = trial_license;
  target_license.id = "lic_p";
  target_license.kind = licensor::license_kind::paid;
  CHECK(trial_conversion_target_ok(trial, trial_license, target, target_license));
  target.term_end = trial.term_end - 1;
  CHECK(trial_conversion_target_ok(trial, trial_license, target, target_license).error() == errc::conversion_not_allowed);
  target.term_end = trial.term_end + 1;
  target_license.product = "other";
  CHECK(trial_conversion_target_ok(trial, trial_license, target, target_license).error() == errc::conversion_not_allowed);
}
