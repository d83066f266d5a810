#include "subscription/charges.hpp"

namespace licensor::server::subscription {
namespace {

// Products of amounts, days and percentages can pass int64 before the division brings them
// back (a year's refund of 1e17 times 365 days): multiply in 128 bits, divide, then narrow.
__extension__ typedef __int128 wide;  // __extension__: a GCC and Clang type, not ISO C++

}  // namespace

std::int64_t discount_apply(std::int64_t amount, int discount_percent) noexcept {
  const std::int64_t percent = discount_percent < 0 ? 0 : discount_percent > 100 ? 100 : discount_percent;
  return amount - static_cast<std::int64_t>(wide{amount} * percent / 100);
}

std::int64_t seat_term_price(const tier_price& price, term_kind term) noexcept {
  return term == term_kind::annual ? price.seat_year : price.seat_month;
}

std::int64_t seat_months_price(const tier_price& price, term_kind term, std::int64_t months) noexcept {
  if (term == term_kind::annual) return static_cast<std::int64_t>(wide{price.seat_year} * months / 12);
  return price.seat_month * months;
}

std::int64_t seat_midterm_price(const tier_price& price, term_kind term, std::int64_t now,
                                std::int64_t term_end) noexcept {
  const auto months = months_remaining_ceil(now, term_end);
  // Never more than the full term (a remainder can round up to 13 months only with bad input).
  const auto capped = months > term_months(term) ? term_months(term) : months;
  return seat_months_price(price, term, capped);
}

std::int64_t refund_prorated(std::int64_t charged, std::int64_t from, std::int64_t to, std::int64_t now) noexcept {
  const auto total = days_ceil(from, to);
  if (total == 0 || charged <= 0) return 0;
  const auto unused = days_floor(now < from ? from : now, to);
  return static_cast<std::int64_t>(wide{charged} * unused / total);
}

}  // namespace licensor::server::subscription
