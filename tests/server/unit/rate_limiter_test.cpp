#include <doctest/doctest.h>

#include "api/rate_limiter.hpp"

using licensor::server::rate_limiter;

TEST_CASE("a bucket allows its burst, then refuses with a wait, per key") {
  rate_limiter limiter(6, 3);  // 6 a minute: one every 10 s, 3 at once
  for (int i = 0; i < 3; ++i) CHECK_FALSE(limiter.take("client-a").has_value());
  const auto wait = limiter.take("client-a");
  REQUIRE(wait.has_value());
  CHECK(*wait >= 9);
  CHECK(*wait <= 10);
  CHECK(limiter.exhausted("client-a").has_value());
  CHECK_FALSE(limiter.take("client-b").has_value());  // another key has its own bucket
}
