#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "licensor/claims.hpp"
#include "licensor/rfc3339.hpp"

using namespace licensor;

namespace {

license_claims sample_claims() {
  license_claims claims;
  claims.iss = "licensor-test";
  claims.sub = "lic_01";
  claims.iat = 1'790'000'000;
  claims.nbf = 1'790'000'000;
  claims.exp = 1'800'000'000;
  claims.product = "editor";
  claims.tier = "pro";
  claims.kind = license_kind::paid;
  claims.email = "ann@example.com";
  claims.seats = 5;
  claims.features = {"export", "sync"};
  claims.min_version = "20";
  return claims;
}

}  // namespace

TEST_CASE("RFC 3339 formats in UTC and parses offsets and fractions") {
  CHECK(rfc3339_format(0) == "1970-01-01T00:00:00Z");
  CHECK(rfc3339_format(1'795'316'276) == "2026-11-22T02:57:56Z");
  CHECK(rfc3339_format(-1) == "1969-12-31T23:59:59Z");
  CHECK(rfc3339_format(-62'167'219'200) == "0000-01-01T00:00:00Z");
  CHECK(rfc3339_format(253'402'300'799) == "9999-12-31T23:59:59Z");
  // Beyond four-digit years (not RFC 3339), printf's %04d.
  CHECK(rfc3339_format(253'402'300'800) == "10000-01-01T00:00:00Z");
  CHECK(rfc3339_format(-62'167'219'201) == "-001-12-31T23:59:59Z");
  for (unix_seconds t = 0; t < 4'000'000'000; t += 86'399 * 37) {  // what parse accepts: 1970 on
    INFO(t);
    const auto parsed = rfc3339_parse(rfc3339_format(t));
    REQUIRE(parsed);
    REQUIRE(*parsed == t);
  }
  CHECK(*rfc3339_parse("2026-11-22T02:57:56Z") == 1'795'316'276);
  CHECK(*rfc3339_parse("2026-11-22T03:57:56+01:00") == 1'795'316'276);
  CHECK(*rfc3339_parse("2026-11-22t02:57:56.123456z") == 1'795'316'276);
  CHECK(*rfc3339_parse("2024-02-29T00:00:00Z") == 1'709'164'800);
  for (const char* bad : {"", "2026-11-22", "2026-11-22T02:57:56", "2026-13-01T00:00:00Z",
                          "2026-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2026-11-22T24:00:00Z",
                          "2026-11-22T02:57:56+0100", "2026-11-22T02:57:56.Z", "2026-11-22T02:57:56Zx"}) {
    CAPTURE(bad);
    CHECK(rfc3339_parse(bad).error() == errc::malformed);
  }
}

TEST_CASE("claims round-trip through JSON") {
  const auto claims = sample_claims();
  auto parsed = claims_parse(claims_to_json(claims));
  REQUIRE(parsed.ok());
  CHECK(*parsed == claims);

  auto perpetual = claims;
  perpetual.exp.reset();
  perpetual.fingerprint = "machine-1";
  CHECK(nlohmann::json::parse(claims_to_json(perpetual)).contains("exp") == false);
  CHECK(*claims_parse(claims_to_json(perpetual)) == perpetual);

  // Notices: absent when there are none (tokens signed before they existed parse the same).
  CHECK(nlohmann::json::parse(claims_to_json(claims)).contains("notice") == false);
  auto noticed = claims;
  noticed.notices = {"customer_name_missing"};
  CHECK(nlohmann::json::parse(claims_to_json(noticed)).at("notice") == nlohmann::json{"customer_name_missing"});
  CHECK(*claims_parse(claims_to_json(noticed)) == noticed);
}

TEST_CASE("claims with missing or mistyped fields are malformed") {
  const auto good = nlohmann::json::parse(claims_to_json(sample_claims()));
  for (const char* field : {"iss", "sub", "iat", "nbf", "product", "tier", "kind", "email", "seats", "features"}) {
    CAPTURE(field);
    auto missing = good;
    missing.erase(field);
    CHECK(claims_parse(missing.dump()).error() == errc::malformed);
    auto mistyped = good;
    mistyped[field] = nlohmann::json::array({1});
    CHECK(claims_parse(mistyped.dump()).error() == errc::malformed);
  }
  auto bad_time = good;
  bad_time["exp"] = "tomorrow";
  CHECK(claims_parse(bad_time.dump()).error() == errc::malformed);
  auto negative_seats = good;
  negative_seats["seats"] = -1;
  CHECK(claims_parse(negative_seats.dump()).error() == errc::malformed);
  auto bad_version = good;
  bad_version["min_version"] = "v20";
  CHECK(claims_parse(bad_version.dump()).error() == errc::malformed);
  for (const auto& bad_notice : {nlohmann::json("customer_name_missing"), nlohmann::json::array({1})}) {
    auto wrong = good;
    wrong["notice"] = bad_notice;
    CHECK(claims_parse(wrong.dump()).error() == errc::malformed);
  }
  CHECK(claims_parse("[]").error() == errc::malformed);
  CHECK(claims_parse("{").error() == errc::malformed);
}
