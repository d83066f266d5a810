// The subscription rules of the partner programmes, as pure functions of the records and `now`
// (no store, no clock). The API layer reads the records in its write transaction, asks these,
// and writes what they answer. See docs/subscriptions.md for the decisions behind each rule.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/records.hpp"
#include "licensor/result.hpp"
#include "subscription/records.hpp"
#include "subscription/terms.hpp"

namespace licensor::server::subscription {

inline constexpr std::int64_t trial_default_days = 30;
inline constexpr std::uint32_t trial_default_seats = 25;
/// The most seats a subscription may have; with price_max (charges.hpp) it bounds every charge.
inline constexpr std::int64_t seats_max = 1'000'000;
/// The seats the subscription's own customer holds: its token (activation, delivery) works like
/// a member's, so it counts like one and N seats give N working emails, not N + 1.
inline constexpr std::uint32_t owner_seats = 1;

[[nodiscard]] std::uint32_t seats_total(const std::vector<seat_lot>& lots) noexcept;

/// The fewest seats a subscription with `members` members may have: theirs and the owner's.
[[nodiscard]] std::uint32_t seats_needed(std::uint32_t members) noexcept;

/// Assigning a seat to a member. The duplicate is checked first, so an email already on a full
/// subscription is told it is there. `already_member` includes the subscription's own email.
/// Errors: member_exists, seats_exhausted (the owner and `members` fill `seats`).
[[nodiscard]] result<void> member_add_allowed(bool already_member, std::uint32_t members, std::uint32_t seats);

/// The seats of a trial converted in place before its end: at least the default 25 (or the
/// trial's own count, if it was created smaller), and room for the owner and the members; only
/// a scheduled change applied at the trial's end may go lower.
/// Errors: conversion_not_allowed (below the trial's seats floor), seats_in_use.
[[nodiscard]] result<void> conversion_seats_allowed(std::uint32_t trial_seats, std::uint32_t seats,
                                                    std::uint32_t members);

/// The end of a cancelled term: what the prorated refund (charges.hpp) does not give back. The
/// refund returns every whole unused day, so this is `now` when the rest of the term was whole
/// days, otherwise the end of the started day; `now` when nothing was charged.
[[nodiscard]] std::int64_t cancel_end(std::int64_t term_start, std::int64_t term_end, std::int64_t charged,
                                      std::int64_t now) noexcept;

/// Seats that can be removed at `now`, with the time their window closes (earliest first).
struct seat_window {
  std::uint32_t seats = 0;
  std::int64_t until = 0;  ///< first second the window is closed
};
[[nodiscard]] std::vector<seat_window> seat_windows_open(const std::vector<seat_lot>& lots, std::int64_t now);

/// Removing `remove` seats at `now`: taken from the newest lots whose window is open.
struct seat_decrease {
  std::vector<seat_lot> lots;     ///< what remains
  std::vector<seat_lot> removed;  ///< count = seats taken from each lot (with its charge data)
};
/// Errors: bad_request (remove is 0 or leaves no seat), seat_decrease_window_closed (fewer than
/// `remove` seats were added within the last 7 days).
[[nodiscard]] result<seat_decrease> seat_decrease_plan(const std::vector<seat_lot>& lots, std::uint32_t remove,
                                                       std::int64_t now);

/// The refund for seats removed from their lots at `now`, prorated by unused days.
[[nodiscard]] std::int64_t seat_decrease_refund(const std::vector<seat_lot>& removed, std::int64_t now);

/// Seat changes (POST seats): trials are locked; only active subscriptions change seats.
/// Errors: trial_locked, subscription_not_active.
[[nodiscard]] result<void> seat_change_allowed(const subscription_record& sub, license_status status);

/// Suspension. Errors: trial_locked, subscription_not_active (not active).
[[nodiscard]] result<void> suspend_allowed(const subscription_record& sub, license_status status);
/// Reactivation of a suspended license, only before its term ends.
/// Errors: trial_locked, subscription_not_active (not suspended, or the term is over).
[[nodiscard]] result<void> reactivate_allowed(const subscription_record& sub, license_status status,
                                              std::int64_t now);

/// Cancellation: within 7 days of the term's start (purchase or renewal); final.
/// Errors: trial_locked, subscription_not_active (cancelled, expired or revoked),
/// cancel_window_closed.
[[nodiscard]] result<void> cancel_allowed(const subscription_record& sub, license_status status, std::int64_t now);

/// An upgrade from `from` to `to` among `tiers` (lowest first).
/// Errors: tier_not_found, downgrade_not_allowed (same or lower rank).
[[nodiscard]] result<void> upgrade_tier_allowed(const std::vector<std::string>& tiers, std::string_view from,
                                                std::string_view to);

/// Scheduled changes need an active license with auto_renew on.
/// Errors: trial_locked is not used here; subscription_not_active, auto_renew_off.
[[nodiscard]] result<void> scheduled_change_allowed(const subscription_record& sub, license_status status);

/// What happens to a subscription whose term has ended (term_end <= now). `issuing_allowed` is
/// the partner's can_issue: renewals of what it already sold go on without it, but a trial does
/// not become a paid license (it expires instead).
enum class term_end_action {
  none,       ///< nothing is due (term not over, or a final status, or an add-on)
  renew,      ///< auto_renew on and active: a new term starts at the old end
  convert,    ///< a trial with auto_renew on: becomes the equivalent paid subscription
  expire,     ///< auto_renew off, or suspended: expired
};
[[nodiscard]] term_end_action term_end_due(const subscription_record& sub, license_status status, std::int64_t now,
                                           bool issuing_allowed);

/// The next term of `sub` after a renewal (or a trial conversion at its end): start, end,
/// period and anchor move on; a scheduled term change starts a new anchor.
struct next_term {
  std::string term;
  std::int64_t anchor_at = 0;
  std::int64_t period = 1;
  std::int64_t start = 0;
  std::int64_t end = 0;
};
[[nodiscard]] next_term term_next(const subscription_record& sub);
/// Makes `next` the subscription's current term (term kind, anchor, period, start and end).
void term_enter(subscription_record& sub, const next_term& next);
/// A fresh term of kind `term` starting at `start`.
[[nodiscard]] next_term term_fresh(term_kind term, std::int64_t start);

/// A trial converts into an existing subscription only if it is an active paid one of the same
/// product and customer whose end is on or after the trial's end. Errors: conversion_not_allowed.
[[nodiscard]] result<void> trial_conversion_target_ok(const subscription_record& trial, const license_record& trial_license,
                                                      const subscription_record& target,
                                                      const license_record& target_license);

}  // namespace licensor::server::subscription
