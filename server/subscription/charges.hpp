// Charges and refunds in integer minor units (no floating point anywhere). Prices come per tier
// as per seat and month and per seat and year; the partner's discount comes off every charge;
// refunds give back what was charged, prorated by whole unused days.
#pragma once

#include <cstdint>

#include "domain/records.hpp"
#include "subscription/terms.hpp"

namespace licensor::server::subscription {

/// The largest accepted price of one seat for a month or a year, in minor units. With at most
/// seats_max seats (rules.hpp) one term's charge stays below 1e17 and every sum of a term's
/// charges and refunds fits int64 with room to spare; intermediates are 128-bit anyway.
inline constexpr std::int64_t price_max = 100'000'000'000;

/// `amount` less `discount_percent` (0..100); the discount is rounded down, so the partner's
/// price is rounded up to the minor unit.
[[nodiscard]] std::int64_t discount_apply(std::int64_t amount, int discount_percent) noexcept;

/// The list price of one seat for one whole term.
[[nodiscard]] std::int64_t seat_term_price(const tier_price& price, term_kind term) noexcept;

/// The list price of one seat for `months` months: seat_month x months for monthly terms,
/// seat_year x months / 12 (rounded down) for annual ones.
[[nodiscard]] std::int64_t seat_months_price(const tier_price& price, term_kind term, std::int64_t months) noexcept;

/// What a seat added at `now` costs until `term_end`: the remaining calendar months rounded up
/// (50 days left: 2 months), at the term's monthly rate, before discount.
[[nodiscard]] std::int64_t seat_midterm_price(const tier_price& price, term_kind term, std::int64_t now,
                                              std::int64_t term_end) noexcept;

/// The part of `charged` (paid for [from, to)) that covers whole unused days after `now`:
/// charged x floor_days(now, to) / ceil_days(from, to). 0 once `now` >= `to`.
[[nodiscard]] std::int64_t refund_prorated(std::int64_t charged, std::int64_t from, std::int64_t to,
                                           std::int64_t now) noexcept;

}  // namespace licensor::server::subscription
