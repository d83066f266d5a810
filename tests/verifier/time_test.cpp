// nbf, exp, leeway and grace boundaries, and clock rollback detection.
#include <doctest/doctest.h>

#include "verifier_fixture.hpp"

using namespace licensor;
using namespace licensor::testing;

namespace {

constexpr unix_seconds expiry = issued_at + thirty_days;

verify_status at(verifier_setup& setup, const std::string& token, unix_seconds now,
                 std::int64_t leeway, std::int64_t grace = 0) {
  auto ctx = sample_context(now);
  ctx.leeway_seconds = leeway;
  ctx.grace_seconds = grace;
  setup.last_trusted = 0;  // each probe is independent of the clock history
  return setup.check(token, ctx);
}

}  // namespace

TEST_CASE("exp boundary") {
  verifier_setup setup;
  const auto token = setup.sign(sample_claims());
  SUBCASE("without leeway") {
    CHECK(at(setup, token, expiry, 0) == verify_status::valid);
    CHECK(at(setup, token, expiry + 1, 0) == verify_status::expired);
  }
  SUBCASE("with leeway: now == exp + leeway is still valid") {
    CHECK(at(setup, token, expiry + 60, 60) == verify_status::valid);
    CHECK(at(setup, token, expiry + 61, 60) == verify_status::expired);
  }
  SUBCASE("negative leeway counts as zero") {
    CHECK(at(setup, token, expiry, -10) == verify_status::valid);
    CHECK(at(setup, token, expiry + 1, -10) == verify_status::expired);
  }
}

TEST_CASE("grace after exp + leeway") {
  verifier_setup setup;
  const auto token = setup.sign(sample_claims());
  const std::int64_t grace = 7 * 86'400;
  CHECK(at(setup, token, expiry + 60, 60, grace) == verify_status::valid);
  CHECK(at(setup, token, expiry + 61, 60, grace) == verify_status::valid_in_grace);
  CHECK(at(setup, token, expiry + 60 + grace, 60, grace) == verify_status::valid_in_grace);
  CHECK(at(setup, token, expiry + 61 + grace, 60, grace) == verify_status::expired);

  SUBCASE("claims are returned in grace") {
    auto ctx = sample_context(expiry + 1000);
    ctx.grace_seconds = grace;
    unix_seconds last_trusted = 0;
    const auto outcome = setup.verifier.verify(token, ctx, last_trusted);
    CHECK(outcome.status == verify_status::valid_in_grace);
    CHECK(outcome.claims == sample_claims());
    CHECK(last_trusted == expiry + 1000);
  }
}

TEST_CASE("nbf boundary") {
  verifier_setup setup;
  auto claims = sample_claims();
  claims.nbf = issued_at + 3600;
  const auto token = setup.sign(claims);
  CHECK(at(setup, token, claims.nbf, 0) == verify_status::valid);
  CHECK(at(setup, token, claims.nbf - 1, 0) == verify_status::not_yet_valid);
  CHECK(at(setup, token, claims.nbf - 60, 60) == verify_status::valid);
  CHECK(at(setup, token, claims.nbf - 61, 60) == verify_status::not_yet_valid);
}

TEST_CASE("a perpetual license never expires") {
  verifier_setup setup;
  auto claims = sample_claims();
  claims.exp.reset();
  const auto token = setup.sign(claims);
  CHECK(at(setup, token, 253'402'300'799, 60) == verify_status::valid);  // 9999-12-31
}

TEST_CASE("extreme times saturate instead of wrapping") {
  verifier_setup setup;
  const auto token = setup.sign(sample_claims());
  CHECK(at(setup, token, expiry + 1, INT64_MAX) == verify_status::valid);
  CHECK(at(setup, token, INT64_MAX, 0, INT64_MAX) == verify_status::valid_in_grace);
  // Before the epoch is before the initial last_trusted_time of 0.
  CHECK(at(setup, token, INT64_MIN, 0) == verify_status::clock_tampered);
}

TEST_CASE("clock rollback") {
  verifier_setup setup;
  const auto token = setup.sign(sample_claims());
  const unix_seconds day_5 = issued_at + 5 * 86'400;

  SUBCASE("a valid check advances last_trusted_time to now") {
    REQUIRE(setup.check(token, sample_context(day_5)) == verify_status::valid);
    CHECK(setup.last_trusted == day_5);
  }
  SUBCASE("a token re-signed by a server whose clock is ahead does not move it past now") {
    // Re-signed tokens keep nbf (the issue time) and carry iat = the re-signing time: here an
    // hour ahead of the app's clock. The next check, at the app's correct time, is no rollback.
    auto claims = sample_claims();
    claims.iat = day_5 + 3600;
    const auto resigned = setup.sign(claims);
    setup.last_trusted = 0;
    REQUIRE(setup.check(resigned, sample_context(day_5)) == verify_status::valid);
    CHECK(setup.last_trusted == day_5);
    CHECK(setup.check(resigned, sample_context(day_5 + 60)) == verify_status::valid);
    CHECK(setup.last_trusted == day_5 + 60);
  }
  SUBCASE("going back within leeway is tolerated, beyond it is clock_tampered") {
    REQUIRE(setup.check(token, sample_context(day_5)) == verify_status::valid);
    CHECK(setup.check(token, sample_context(day_5 - 60)) == verify_status::valid);
    CHECK(setup.last_trusted == day_5);
    CHECK(setup.check(token, sample_context(day_5 - 61)) == verify_status::clock_tampered);
    CHECK(setup.last_trusted == day_5);
    CHECK(setup.check(token, sample_context(day_5 + 10)) == verify_status::valid);
    CHECK(setup.last_trusted == day_5 + 10);
  }
  SUBCASE("a clock set back to before expiry is caught") {
    REQUIRE(setup.check(token, sample_context(expiry + 3600)) == verify_status::expired);
    setup.last_trusted = expiry + 3600;  // as persisted by an app that saw the real time
    CHECK(setup.check(token, sample_context(expiry - 3600)) == verify_status::clock_tampered);
  }
  SUBCASE("a failed check leaves last_trusted_time unchanged") {
    setup.last_trusted = day_5;
    auto ctx = sample_context(day_5 + 100);
    ctx.product = "other";
    CHECK(setup.check(token, ctx) == verify_status::wrong_product);
    CHECK(setup.last_trusted == day_5);
  }
}
