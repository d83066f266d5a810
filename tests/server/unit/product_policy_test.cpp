// Product policy as a pure function (server/domain/product_policy.hpp): the defaults, a policy
// an operator set, and each rule at its boundary.
#include <doctest/doctest.h>

#include "domain/product_policy.hpp"

using namespace licensor;
using namespace licensor::server;

namespace {

product_record editor() {
  product_record product;
  product.id = "editor";
  product.tiers = {"basic", "pro", "max"};
  return product;
}

license_record license_of(license_kind kind, std::string tier, std::uint32_t seats,
                          std::vector<std::string> features = {}) {
  license_record license;
  license.kind = kind;
  license.tier = std::move(tier);
  license.seats = seats;
  license.features = std::move(features);
  return license;
}

bool allowed(const product_record& product, const license_record& license) {
  return !product_policy_refusal(product, license).has_value();
}

}  // namespace

TEST_CASE("without a policy, free licenses get the lowest tier, 1 seat and no features") {
  const auto product = editor();
  CHECK(allowed(product, license_of(license_kind::free, "basic", 1)));
  CHECK_FALSE(allowed(product, license_of(license_kind::free, "pro", 1)));
  CHECK_FALSE(allowed(product, license_of(license_kind::free, "max", 1)));
  CHECK_FALSE(allowed(product, license_of(license_kind::free, "basic", 2)));
  CHECK_FALSE(allowed(product, license_of(license_kind::free, "basic", 1, {"export"})));
  const auto policy = product_policy_of(product, license_kind::free);
  CHECK(policy.tiers == std::vector<std::string>{"basic"});
  CHECK(policy.max_seats == 1);
  CHECK(policy.features.empty());
}

TEST_CASE("without a policy, trials get any tier and at most 25 seats, no features") {
  const auto product = editor();
  for (const char* tier : {"basic", "pro", "max"}) {
    CAPTURE(tier);
    CHECK(allowed(product, license_of(license_kind::trial, tier, 25)));
    CHECK_FALSE(allowed(product, license_of(license_kind::trial, tier, 26)));
  }
  CHECK_FALSE(allowed(product, license_of(license_kind::trial, "pro", 1, {"export"})));
  CHECK_FALSE(allowed(product, license_of(license_kind::trial, "platinum", 1)));
}

TEST_CASE("paid licenses are not limited by the policy") {
  auto product = editor();
  product.policy["free"] = kind_policy{{}, 1, {}, {}};
  CHECK(allowed(product, license_of(license_kind::paid, "max", 1'000'000, {"export", "sso"})));
  CHECK_FALSE(product_policy_governs(license_kind::paid));
  CHECK(product_policy_governs(license_kind::free));
  CHECK(product_policy_governs(license_kind::trial));
}

TEST_CASE("a policy an operator set: tiers, max_seats exactly, listed features only") {
  auto product = editor();
  product.policy["free"] = kind_policy{{"basic", "pro"}, 3, {"export"}, {}};
  CHECK(allowed(product, license_of(license_kind::free, "pro", 3, {"export"})));
  CHECK(allowed(product, license_of(license_kind::free, "basic", 1)));
  CHECK_FALSE(allowed(product, license_of(license_kind::free, "pro", 4)));
  CHECK_FALSE(allowed(product, license_of(license_kind::free, "max", 1)));
  CHECK_FALSE(allowed(product, license_of(license_kind::free, "basic", 1, {"export", "sso"})));
  // The trial keeps its defaults while only the free policy is set.
  CHECK(product_policy_of(product, license_kind::trial).max_seats == 25);
  CHECK(product_policy_of(product, license_kind::trial).tiers == product.tiers);
}

TEST_CASE("a policy with no tiers offers no licenses of that kind") {
  auto product = editor();
  product.policy["trial"] = kind_policy{{}, 25, {}, {}};
  const auto refusal = product_policy_refusal(product, license_of(license_kind::trial, "basic", 1));
  REQUIRE(refusal.has_value());
  CHECK(refusal->find("no trial licenses") != std::string::npos);
}

TEST_CASE("the refusal names the rule that was broken") {
  const auto product = editor();
  const auto tier = product_policy_refusal(product, license_of(license_kind::free, "max", 1));
  REQUIRE(tier.has_value());
  CHECK(tier->find("tier") != std::string::npos);
  const auto seats = product_policy_refusal(product, license_of(license_kind::free, "basic", 2));
  REQUIRE(seats.has_value());
  CHECK(seats->find("at most 1 seat") != std::string::npos);
  const auto feature = product_policy_refusal(product, license_of(license_kind::free, "basic", 1, {"sso"}));
  REQUIRE(feature.has_value());
  CHECK(feature->find("'sso'") != std::string::npos);
}

TEST_CASE("a product stored before policies existed reads with the defaults") {
  const auto stored = nlohmann::json{{"id", "old"}, {"name", "old"}, {"tiers", {"standard", "pro"}}, {"created_at", 1}};
  const auto product = stored.get<product_record>();
  CHECK(product.policy.empty());
  CHECK(allowed(product, license_of(license_kind::free, "standard", 1)));
  CHECK_FALSE(allowed(product, license_of(license_kind::free, "pro", 1)));
  CHECK(allowed(product, license_of(license_kind::trial, "pro", 25)));
}

TEST_CASE("features per tier: allowed at their tier only, on top of the kind's features") {
  auto product = editor();
  kind_policy trial;
  trial.tiers = {"basic", "pro"};
  trial.max_seats = 25;
  trial.features = {"sync"};
  trial.tier_features = {{"pro", {"export"}}};
  product.policy["trial"] = trial;
  CHECK(allowed(product, license_of(license_kind::trial, "pro", 5, {"sync", "export"})));
  CHECK(allowed(product, license_of(license_kind::trial, "basic", 5, {"sync"})));
  CHECK_FALSE(allowed(product, license_of(license_kind::trial, "basic", 5, {"export"})));
  CHECK_FALSE(allowed(product, license_of(license_kind::trial, "pro", 5, {"sso"})));
  CHECK(product_policy_refusal(product, license_of(license_kind::trial, "basic", 5, {"export"}))->find("tier 'basic'") != std::string::npos);
}
