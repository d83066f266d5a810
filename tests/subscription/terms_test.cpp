#include <doctest/doctest.h>

#include "licensor/rfc3339.hpp"
#include "subscription/terms.hpp"

using namespace licensor::server::subscription;

namespace {
std::int64_t at(const char* text) { return *licensor::rfc3339_parse(text); }
}  // namespace

TEST_CASE("monthly terms are calendar months, clamped to the month's length, never drifting") {
  const auto anchor = at("2031-01-31T10:00:00Z");
  CHECK(term_end_of(anchor, term_kind::monthly, 1) == at("2031-02-28T10:00:00Z"));
  CHECK(term_end_of(anchor, term_kind::monthly, 2) == at("2031-03-31T10:00:00Z"));
  CHECK(term_end_of(at("2032-01-31T00:00:00Z"), term_kind::monthly, 1) == at("2032-02-29T00:00:00Z"));
  CHECK(months_add(at("2031-12-15T00:00:00Z"), 1) == at("2032-01-15T00:00:00Z"));
  CHECK(months_add(at("2031-03-15T00:00:00Z"), -3) == at("2030-12-15T00:00:00Z"));
}

TEST_CASE("annual terms are calendar years") {
  CHECK(term_end_of(at("2031-05-01T00:00:00Z"), term_kind::annual, 1) == at("2032-05-01T00:00:00Z"));
  CHECK(term_end_of(at("2032-02-29T00:00:00Z"), term_kind::annual, 1) == at("2033-02-28T00:00:00Z"));
  CHECK(term_end_of(at("2032-02-29T00:00:00Z"), term_kind::annual, 4) == at("2036-02-29T00:00:00Z"));
}

TEST_CASE("remaining months round up: 50 days left is 2 months") {
  const auto now = at("2031-03-01T00:00:00Z");
  CHECK(months_remaining_ceil(now, now + 50 * day_seconds) == 2);
  CHECK(months_remaining_ceil(now, now + 1 * day_seconds) == 1);
  CHECK(months_remaining_ceil(now, at("2031-04-01T00:00:00Z")) == 1);  // exactly one month
  CHECK(months_remaining_ceil(now, at("2031-04-01T00:00:01Z")) == 2);
  CHECK(months_remaining_ceil(now, at("2032-03-01T00:00:00Z")) == 12);
  CHECK(months_remaining_ceil(now, now) == 0);
  CHECK(months_remaining_ceil(now, now - 10) == 0);
}

TEST_CASE("the 7-day windows: day 7 is inside, day 8 is outside") {
  const auto start = at("2031-03-01T12:00:00Z");
  CHECK(change_window_open(start, start));
  CHECK(change_window_open(start, start + 7 * day_seconds));
  CHECK(change_window_open(start, start + 8 * day_seconds - 1));
  CHECK_FALSE(change_window_open(start, start + 8 * day_seconds));
  CHECK_FALSE(change_window_open(start, start - 1));
  CHECK(change_window_close(start) == start + 8 * day_seconds);
}

TEST_CASE("day counts") {
  CHECK(days_floor(0, day_seconds * 3 - 1) == 2);
  CHECK(days_ceil(0, day_seconds * 3 - 1) == 3);
  CHECK(days_floor(10, 5) == 0);
  CHECK(term_parse("monthly") == term_kind::monthly);
  CHECK(term_parse("annual") == term_kind::annual);
  CHECK_FALSE(term_parse("weekly"));
}
