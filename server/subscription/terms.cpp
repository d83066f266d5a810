#include "subscription/terms.hpp"

namespace licensor::server::subscription {
namespace {

// Howard Hinnant's civil-date algorithms (proleptic Gregorian, days since 1970-01-01).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil {
  std::int64_t y;
  unsigned m;
  unsigned d;
};

constexpr civil civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

constexpr unsigned month_length(std::int64_t y, unsigned m) noexcept {
  constexpr unsigned lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : lengths[m - 1];
}

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

}  // namespace

std::optional<term_kind> term_parse(std::string_view text) noexcept {
  if (text == "monthly") return term_kind::monthly;
  if (text == "annual") return term_kind::annual;
  return std::nullopt;
}

std::string_view term_name(term_kind term) noexcept { return term == term_kind::annual ? "annual" : "monthly"; }

int term_months(term_kind term) noexcept { return term == term_kind::annual ? 12 : 1; }

std::int64_t months_add(std::int64_t t, std::int64_t months) noexcept {
  const std::int64_t days = floor_div(t, day_seconds);
  const std::int64_t time_of_day = t - days * day_seconds;
  const auto date = civil_from_days(days);
  const std::int64_t month_index = date.y * 12 + (date.m - 1) + months;
  const std::int64_t y = floor_div(month_index, 12);
  const auto m = static_cast<unsigned>(month_index - y * 12 + 1);
  const unsigned d = date.d < month_length(y, m) ? date.d : month_length(y, m);
  return days_from_civil(y, m, d) * day_seconds + time_of_day;
}

std::int64_t term_end_of(std::int64_t anchor, term_kind term, std::int64_t period) noexcept {
  return months_add(anchor, period * term_months(term));
}

std::int64_t months_remaining_ceil(std::int64_t now, std::int64_t end) noexcept {
  if (end <= now) return 0;
  // A first guess from the day count, then exact steps: at most a couple of iterations.
  std::int64_t m = (end - now) / (31 * day_seconds);
  while (m > 0 && months_add(now, m) >= end) --m;
  while (months_add(now, m) < end) ++m;
  return m;
}

std::int64_t days_floor(std::int64_t from, std::int64_t to) noexcept {
  return to <= from ? 0 : (to - from) / day_seconds;
}

std::int64_t days_ceil(std::int64_t from, std::int64_t to) noexcept {
  return to <= from ? 0 : (to - from + day_seconds - 1) / day_seconds;
}

bool change_window_open(std::int64_t start, std::int64_t now) noexcept {
  return now >= start && now < change_window_close(start);
}

std::int64_t change_window_close(std::int64_t start) noexcept {
  return start + (change_window_days + 1) * day_seconds;
}

}  // namespace licensor::server::subscription
