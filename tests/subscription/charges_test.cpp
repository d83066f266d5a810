#include <doctest/doctest.h>

#include "subscription/charges.hpp"
#include "subscription/rules.hpp"
#include "time_text.hpp"

using namespace licensor::server;
using namespace licensor::server::subscription;

using licensor::testing::at;

namespace {
const tier_price pro{"EUR", 1'000, 12'000};  // 10.00 per seat and month, 120.00 per seat and year
}  // namespace

TEST_CASE("seats added mid-term are charged whole remaining months, rounded up") {
  const auto now = at("2031-03-01T00:00:00Z");
  // 50 days left of an annual term: 2 months at 120.00 / 12.
  CHECK(seat_midterm_price(pro, term_kind::annual, now, now + 50 * day_seconds) == 2'000);
  // 49 days: still 2; 20 days: 1.
  CHECK(seat_midterm_price(pro, term_kind::annual, now, now + 49 * day_seconds) == 2'000);
  CHECK(seat_midterm_price(pro, term_kind::annual, now, now + 20 * day_seconds) == 1'000);
  // A monthly term has at most one month left.
  CHECK(seat_midterm_price(pro, term_kind::monthly, now, now + 20 * day_seconds) == 1'000);
  // Never more than a whole term.
  CHECK(seat_midterm_price(pro, term_kind::annual, now, at("2032-03-01T00:00:00Z")) == 12'000);
}

TEST_CASE("whole terms and the partner's discount") {
  CHECK(seat_term_price(pro, term_kind::monthly) == 1'000);
  CHECK(seat_term_price(pro, term_kind::annual) == 12'000);
  CHECK(discount_apply(1'000, 0) == 1'000);
  CHECK(discount_apply(1'000, 15) == 850);
  CHECK(discount_apply(999, 10) == 900);  // the discount rounds down: 99.9 -> 99
  CHECK(discount_apply(1'000, 100) == 0);
  CHECK(discount_apply(1'000, 150) == 0);
  CHECK(discount_apply(1'000, -5) == 1'000);
}

TEST_CASE("refunds are prorated by whole unused days") {
  const auto start = at("2031-03-01T00:00:00Z");
  const auto end = start + 30 * day_seconds;
  CHECK(refund_prorated(3'000, start, end, start) == 3'000);
  CHECK(refund_prorated(3'000, start, end, start + 3 * day_seconds) == 2'700);
  CHECK(refund_prorated(3'000, start, end, start + 3 * day_seconds + 1) == 2'600);  // a started day is used
  CHECK(refund_prorated(3'000, start, end, end) == 0);
  CHECK(refund_prorated(3'000, start, end, end + 100) == 0);
  CHECK(refund_prorated(0, start, end, start) == 0);
}

TEST_CASE("the largest accepted prices and seat counts do not overflow") {
  const auto start = at("2031-01-01T00:00:00Z");
  const auto end = at("2032-01-01T00:00:00Z");  // 365 days
  const tier_price top{"EUR", price_max, price_max};
  const std::int64_t year = seat_term_price(top, term_kind::annual) * seats_max;  // 1e17
  CHECK(year == 100'000'000'000'000'000);
  // charged x unused days passes int64 (3.65e19) before the division.
  CHECK(refund_prorated(year, start, end, start) == year);
  CHECK(refund_prorated(year, start, end, start + day_seconds) == 99'726'027'397'260'273);  // 1e17 x 364 / 365
  CHECK(refund_prorated(year, start, end, start + day_seconds) > 0);
  // amount x percent passes int64 (1e19).
  CHECK(discount_apply(year, 99) == year / 100);
  CHECK(discount_apply(year, 50) == year / 2);
  CHECK(seat_midterm_price(top, term_kind::annual, start, end) == price_max);
}
