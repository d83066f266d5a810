// Free to paid: a partner converts a free license to a plain paid license or to a subscription,
// keeping its id, customer and activation key; the customer's free slot and the partner's cap
// place come back at once, so the next free license for that customer is accepted.
#include "licensor/rfc3339.hpp"
#include "server_test.hpp"

using namespace licensor::testing;
using nlohmann::json;

namespace {

struct conversion_world : partner_world {
  std::string priced = [this] {
    const auto id = "priced-" + unique_suffix();
    expect_status(as_operator.post("/v1/products", {{"id", id}, {"tiers", {"basic", "pro"}},
                                                    {"prices", {{"basic", price}, {"pro", price}}}}),
                  201, "create product");
    return id;
  }();
};

}  // namespace

TEST_CASE("a free license converted to paid keeps its key and customer and gives its slots back at once") {
  conversion_world w;
  const auto customer = customer_fresh(w.as_partner).at("id").get<std::string>();
  const auto free = license_issue(w.as_partner, {customer, w.priced});
  CHECK(free_used(w.as_partner) == 1);
  CHECK_ERROR(license_issue_try(w.as_partner, {customer, w.priced}), 422, "free_license_exists");

  const auto path = "/v1/licenses/" + free.at("id").get<std::string>();
  const auto expires = licensor::rfc3339_format(std::time(nullptr) + 365 * 86'400);
  const auto paid = w.as_partner.post(path + "/convert", {{"tier", "pro"}, {"seats", 3}, {"expires_at", expires}});
  REQUIRE(paid.status == 200);
  CHECK(paid.json.at("id") == free.at("id"));
  CHECK(paid.json.at("kind") == "paid");
  CHECK(paid.json.at("tier") == "pro");
  CHECK(paid.json.at("seats") == 3);
  CHECK(paid.json.at("expires_at") == expires);
  CHECK(paid.json.at("activation_key") == free.at("activation_key"));
  CHECK(paid.json.at("customer_id") == customer);
  const auto claims = token_claims_untrusted(paid.json.at("token").get<std::string>());
  CHECK(claims.at("kind") == "paid");
  CHECK(claims.at("exp") == expires);
  // The app activates with the same key and gets the paid token.
  const auto activated = w.anyone.post("/v1/activate", {{"activation_key", free.at("activation_key")}, {"email", free.at("email")}});
  REQUIRE(activated.status == 200);
  CHECK(token_claims_untrusted(activated.json.at("token").get<std::string>()).at("kind") == "paid");

  CHECK(free_used(w.as_partner) == 0);
  CHECK(license_issue_try(w.as_partner, {customer, w.priced}).status == 201);
  CHECK(free_used(w.as_partner) == 1);
  CHECK(audit_entries(w.as_operator, "license.convert").back().at("details") == json{{"from", "free"}, {"to", "paid"}});

  SUBCASE("what does not convert") {
    CHECK_ERROR(w.as_partner.post(path + "/convert"), 409, "not_a_subscription");  // paid now: only a trial converts
    const auto other = license_issue(w.as_partner, {customer_fresh(w.as_partner).at("id").get<std::string>(), w.priced});
    const auto other_path = "/v1/licenses/" + other.at("id").get<std::string>() + "/convert";
    CHECK_ERROR(w.as_partner.post(other_path, {{"to", "gift"}}), 400, "bad_request");
    CHECK_ERROR(w.as_partner.post(other_path, {{"tier", "platinum"}}), 404, "tier_not_found");
    CHECK_ERROR(w.as_partner.post(other_path, {{"to", "subscription"}, {"expires_at", expires}}), 400, "bad_request");
    CHECK_ERROR(w.as_partner.post(other_path, {{"term", "annual"}}), 400, "bad_request");
    CHECK_ERROR(w.as_partner.post(other_path, {{"into_license_id", free.at("id")}}), 400, "bad_request");
    const auto outsider = partner_create(w.as_operator);
    CHECK_ERROR(w.server.client(outsider.api_key).post(other_path), 404, "license_not_found");
    REQUIRE(w.as_partner.post("/v1/licenses/" + other.at("id").get<std::string>() + "/revoke").status == 200);
    CHECK_ERROR(w.as_partner.post(other_path), 422, "conversion_not_allowed");
  }
}

TEST_CASE("a free license converted to a subscription is charged as one, and the customer may get a free one again") {
  conversion_world w;
  const auto customer = customer_fresh(w.as_partner).at("id").get<std::string>();
  const auto free = license_issue(w.as_partner, {customer, w.priced});
  const auto path = "/v1/licenses/" + free.at("id").get<std::string>();
  const auto sold = w.as_partner.post(path + "/convert", {{"to", "subscription"}, {"term", "annual"}, {"seats", 2}});
  REQUIRE(sold.status == 200);
  CHECK(sold.json.at("id") == free.at("id"));
  CHECK(sold.json.at("kind") == "paid");
  CHECK(sold.json.at("activation_key") == free.at("activation_key"));
  CHECK(sold.json.at("subscription").at("term") == "annual");
  CHECK(sold.json.at("seats") == 2);
  const auto ledger = w.as_partner.get(path + "/ledger");
  REQUIRE(ledger.status == 200);
  REQUIRE(ledger.json.at("items").size() == 1);
  CHECK(ledger.json.at("items")[0].at("reason") == "conversion");
  CHECK(ledger.json.at("items")[0].at("amount") == 2 * 10000);
  CHECK(free_used(w.as_partner) == 0);
  CHECK(license_issue_try(w.as_partner, {customer, w.priced}).status == 201);

  // A product without prices cannot be sold as a subscription; the free license stays free.
  const auto unpriced_free = license_issue(w.as_partner, {customer_fresh(w.as_partner).at("id").get<std::string>(), w.product});
  const auto unpriced_path = "/v1/licenses/" + unpriced_free.at("id").get<std::string>();
  const auto refused = w.as_partner.post(unpriced_path + "/convert", {{"to", "subscription"}});
  CHECK(refused.status >= 400);
  CHECK(refused.status < 500);
  CHECK(w.as_partner.get(unpriced_path).json.at("kind") == "free");
  CHECK(free_used(w.as_partner) == 2);
}
