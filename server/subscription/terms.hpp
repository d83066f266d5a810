// Term arithmetic for subscriptions: calendar months for monthly terms, calendar years for
// annual ones, whole days for windows and proration. Pure functions of Unix seconds (UTC); no
// clock, no store. A term's end is always computed from its anchor (end of period k =
// anchor + k terms), so a Jan 31 monthly subscription ends Feb 28/29, then Mar 31, never drifts.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "licensor/rfc3339.hpp"

namespace licensor::server::subscription {

using licensor::day_seconds;
/// The 7-day windows for seat decreases and cancellation: day 0 is the day of the purchase,
/// renewal or top-up; days 0..7 are inside, day 8 is outside.
inline constexpr std::int64_t change_window_days = 7;

enum class term_kind { monthly, annual };

[[nodiscard]] std::optional<term_kind> term_parse(std::string_view text) noexcept;
[[nodiscard]] std::string_view term_name(term_kind term) noexcept;
/// 1 for monthly, 12 for annual.
[[nodiscard]] int term_months(term_kind term) noexcept;

/// `t` moved by `months` calendar months, the day clamped to the target month's length and the
/// time of day kept. `months` may be negative.
[[nodiscard]] std::int64_t months_add(std::int64_t t, std::int64_t months) noexcept;
/// The end of period `period` (1-based: period 1 ends one term after the anchor).
[[nodiscard]] std::int64_t term_end_of(std::int64_t anchor, term_kind term, std::int64_t period) noexcept;

/// Whole calendar months from `now` to `end`, rounded up: the smallest m with
/// months_add(now, m) >= end (50 days left: 2). 0 when end <= now.
[[nodiscard]] std::int64_t months_remaining_ceil(std::int64_t now, std::int64_t end) noexcept;
/// Whole days from `from` to `to`, rounded down (a started day counts as used). 0 if to <= from.
[[nodiscard]] std::int64_t days_floor(std::int64_t from, std::int64_t to) noexcept;
/// Whole days from `from` to `to`, rounded up. 0 if to <= from.
[[nodiscard]] std::int64_t days_ceil(std::int64_t from, std::int64_t to) noexcept;

/// True while `now` is on day 0..7 after `start` (see change_window_days).
[[nodiscard]] bool change_window_open(std::int64_t start, std::int64_t now) noexcept;
/// The first second outside the window that opened at `start`.
[[nodiscard]] std::int64_t change_window_close(std::int64_t start) noexcept;

}  // namespace licensor::server::subscription
