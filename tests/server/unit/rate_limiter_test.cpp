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

TEST_CASE("a request given back can be taken again, but a bucket never holds more than its burst") {
  rate_limiter limiter(6, 2);
  CHECK_FALSE(limiter.take("client-a").has_value());
  CHECK_FALSE(limiter.take("client-a").has_value());
  CHECK(limiter.exhausted("client-a").has_value());
  limiter.give_back("client-a");
  CHECK_FALSE(limiter.take("client-a").has_value());
  CHECK(limiter.take("client-a").has_value());

  limiter.give_back("client-b");  // unknown: a full bucket, nothing to add
  limiter.give_back("client-b");
  CHECK_FALSE(limiter.take("client-b").has_value());
  CHECK_FALSE(limiter.take("client-b").has_value());
  CHECK(limiter.take("client-b").has_value());
  limiter.give_back("client-b");
  limiter.give_back("client-b");
  limiter.give_back("client-b");  // beyond the burst: capped
  CHECK_FALSE(limiter.take("client-b").has_value());
  CHECK_FALSE(limiter.take("client-b").has_value());
  CHECK(limiter.take("client-b").has_value());
}
