// Product policy: what free and trial licenses may grant. The defaults (free: lowest tier, 1
// seat, no features; trial: any tier, at most 25 seats, no features), a policy set at creation
// or by PATCH /v1/products/{id}, each limit at its boundary, for POST /v1/licenses and trial
// subscriptions alike, and who may set it.
#include "server_test.hpp"

using namespace licensor::testing;
using nlohmann::json;

namespace {

// A product with tiers basic < pro < max, priced (so trials can subscribe), and `policy` if given.
std::string product_with(https_client& as_operator, const json& policy = nullptr) {
  const auto id = "policy-" + unique_suffix();
  json body{{"id", id}, {"tiers", {"basic", "pro", "max"}}, {"prices", {{"basic", price}, {"pro", price}, {"max", price}}}};
  if (!policy.is_null()) body["policy"] = policy;
  expect_status(as_operator.post("/v1/products", body), 201, "create product");
  return id;
}

struct policy_world : partner_world {
  // Each free license needs its own customer (one free license per customer and product).
  std::string customer() { return customer_fresh(as_partner).at("id").get<std::string>(); }
  response issue(const std::string& product, const std::string& kind, const json& extra = json::object()) {
    return license_issue_try(as_partner, {customer(), product, kind, extra});
  }
  response trial(const std::string& product, const json& extra = json::object()) {
    json body{{"customer_id", customer()}, {"product", product}, {"trial", true}};
    body.update(extra);
    return as_partner.post("/v1/subscriptions", body);
  }
};

}  // namespace

TEST_CASE("a product without a policy shows and enforces the defaults") {
  policy_world w;
  const auto product = product_with(w.as_operator);
  const auto shown = w.as_partner.get("/v1/products/" + product).json.at("policy");
  CHECK(shown.at("free") == json{{"tiers", json::array({"basic"})}, {"max_seats", 1}, {"features", json::array()}, {"tier_features", json::object()}});
  CHECK(shown.at("trial") == json{{"tiers", {"basic", "pro", "max"}}, {"max_seats", 25}, {"features", json::array()}, {"tier_features", json::object()}});

  SUBCASE("free: the lowest tier, exactly 1 seat, no features") {
    CHECK(w.issue(product, "free").status == 201);
    CHECK(w.issue(product, "free", {{"tier", "basic"}, {"seats", 1}}).status == 201);
    CHECK_ERROR(w.issue(product, "free", {{"tier", "pro"}}), 422, "product_policy");
    CHECK_ERROR(w.issue(product, "free", {{"tier", "max"}}), 422, "product_policy");
    CHECK_ERROR(w.issue(product, "free", {{"seats", 2}}), 422, "product_policy");
    CHECK_ERROR(w.issue(product, "free", {{"seats", 1'000'000}}), 422, "product_policy");
    CHECK_ERROR(w.issue(product, "free", {{"features", json::array({"export"})}}), 422, "product_policy");
    CHECK(w.issue(product, "free", {{"features", json::array()}}).status == 201);
    CHECK(free_used(w.as_partner) == 3);  // refusals take no slot
  }
  SUBCASE("trial licenses: any tier, at most 25 seats, no features") {
    CHECK(w.issue(product, "trial", {{"tier", "max"}, {"seats", 25}}).status == 201);
    CHECK_ERROR(w.issue(product, "trial", {{"tier", "max"}, {"seats", 26}}), 422, "product_policy");
    CHECK_ERROR(w.issue(product, "trial", {{"features", json::array({"export"})}}), 422, "product_policy");
  }
  SUBCASE("trial subscriptions: the same rule") {
    CHECK(w.trial(product).status == 201);  // 25 seats by default
    CHECK(w.trial(product, {{"tier", "max"}, {"seats", 25}}).status == 201);
    CHECK_ERROR(w.trial(product, {{"seats", 26}}), 422, "product_policy");
    CHECK_ERROR(w.trial(product, {{"features", json::array({"export"})}}), 422, "product_policy");
  }
  SUBCASE("paid licenses and subscriptions are not limited") {
    CHECK(w.issue(product, "paid", {{"tier", "max"}, {"seats", 1'000'000}, {"features", {"export", "sso"}}}).status == 201);
    CHECK(w.as_partner.post("/v1/subscriptions", {{"customer_id", w.customer()}, {"product", product}, {"tier", "max"},
                                                   {"seats", 500}, {"features", json::array({"sso"})}}).status == 201);
  }
  SUBCASE("a refusal names the rule") {
    const auto refused = w.issue(product, "free", {{"seats", 2}});
    CHECK_ERROR(refused, 422, "product_policy");
    CHECK(refused.json.at("error").at("message").get<std::string>().find("seat") != std::string::npos);
  }
}

TEST_CASE("a policy set at creation: listed tiers, max_seats exactly, listed features") {
  policy_world w;
  const auto product = product_with(
      w.as_operator, {{"free", {{"tiers", {"basic", "pro"}}, {"max_seats", 3}, {"features", json::array({"export"})}}},
                      {"trial", {{"tiers", json::array({"pro"})}, {"max_seats", 10}}}});
  const auto shown = w.as_operator.get("/v1/products/" + product).json.at("policy");
  CHECK(shown.at("free") == json{{"tiers", {"basic", "pro"}}, {"max_seats", 3}, {"features", json::array({"export"})}, {"tier_features", json::object()}});
  CHECK(shown.at("trial") == json{{"tiers", json::array({"pro"})}, {"max_seats", 10}, {"features", json::array()}, {"tier_features", json::object()}});  // features default

  CHECK(w.issue(product, "free", {{"tier", "pro"}, {"seats", 3}, {"features", json::array({"export"})}}).status == 201);
  CHECK_ERROR(w.issue(product, "free", {{"tier", "pro"}, {"seats", 4}}), 422, "product_policy");
  CHECK_ERROR(w.issue(product, "free", {{"tier", "max"}}), 422, "product_policy");
  CHECK_ERROR(w.issue(product, "free", {{"features", {"export", "sso"}}}), 422, "product_policy");

  CHECK(w.trial(product, {{"tier", "pro"}, {"seats", 10}}).status == 201);
  CHECK_ERROR(w.trial(product, {{"tier", "pro"}, {"seats", 11}}), 422, "product_policy");
  CHECK_ERROR(w.trial(product, {{"tier", "pro"}}), 422, "product_policy");  // the default 25 seats exceed 10
  CHECK_ERROR(w.trial(product, {{"tier", "basic"}, {"seats", 1}}), 422, "product_policy");
  CHECK_ERROR(w.issue(product, "trial", {{"tier", "max"}}), 422, "product_policy");
  CHECK(w.issue(product, "trial", {{"tier", "pro"}, {"seats", 10}}).status == 201);
}

TEST_CASE("an operator changes the policy with PATCH /v1/products/{id}; it applies to the next license") {
  policy_world w;
  const auto product = product_with(w.as_operator);
  const auto path = "/v1/products/" + product;
  CHECK_ERROR(w.issue(product, "free", {{"seats", 5}}), 422, "product_policy");

  const auto patched = w.as_operator.patch(path, {{"policy", {{"free", {{"max_seats", 5}}}}}});
  REQUIRE(patched.status == 200);
  CHECK(patched.json.at("policy").at("free") == json{{"tiers", json::array({"basic"})}, {"max_seats", 5}, {"features", json::array()}, {"tier_features", json::object()}});
  CHECK(patched.json.at("tiers") == json{"basic", "pro", "max"});  // the rest of the product is unchanged
  CHECK(w.as_partner.get(path).json.at("policy") == patched.json.at("policy"));
  CHECK(w.issue(product, "free", {{"seats", 5}}).status == 201);
  CHECK_ERROR(w.issue(product, "free", {{"seats", 6}}), 422, "product_policy");

  // No tiers: the kind is not offered at all.
  REQUIRE(w.as_operator.patch(path, {{"policy", {{"trial", {{"tiers", json::array()}}}}}}).status == 200);
  CHECK_ERROR(w.issue(product, "trial"), 422, "product_policy");
  CHECK_ERROR(w.trial(product), 422, "product_policy");
  CHECK_ERROR(w.issue(product, "free", {{"seats", 5}}), 422, "product_policy");  // free went back to its defaults

  // {} resets every kind to its defaults.
  const auto reset = w.as_operator.patch(path, {{"policy", json::object()}});
  REQUIRE(reset.status == 200);
  CHECK(reset.json.at("policy").at("trial").at("max_seats") == 25);
  CHECK(w.trial(product).status == 201);

  const auto entries = audit_entries(w.as_operator, "product.update");
  std::size_t mine = 0;
  for (const auto& entry : entries)
    if (entry.at("target") == product) {
      ++mine;
      CHECK(entry.at("actor") == "operator");
      CHECK(entry.at("details").contains("before"));
      CHECK(entry.at("details").at("after").contains("policy"));
    }
  CHECK(mine == 3);
}

TEST_CASE("only operators set a policy: partners get 403, anonymous callers 401") {
  policy_world w;
  const auto other = partner_create(w.as_operator);
  auto as_other = w.server.client(other.api_key);
  const auto product = product_with(w.as_operator);
  const auto path = "/v1/products/" + product;
  const json generous{{"policy", {{"free", {{"tiers", json::array({"max"})}, {"max_seats", 1'000'000}}}}}};
  CHECK_ERROR(w.as_partner.patch(path, generous), 403, "forbidden");
  CHECK_ERROR(as_other.patch(path, generous), 403, "forbidden");
  CHECK_ERROR(w.anyone.patch(path, generous), 401, "unauthorized");
  CHECK_ERROR(w.as_partner.post("/v1/products", {{"id", "mine-" + unique_suffix()}, {"policy", generous.at("policy")}}),
              403, "forbidden");
  CHECK(w.as_partner.get(path).json.at("policy").at("free").at("max_seats") == 1);
  CHECK_ERROR(w.issue(product, "free", {{"tier", "max"}}), 422, "product_policy");
}

TEST_CASE("bad policies get a clear 400 (or 404 for an unknown product), never a 5xx, and change nothing") {
  policy_world w;
  const auto product = product_with(w.as_operator);
  const auto path = "/v1/products/" + product;
  const std::vector<json> bad{
      json::object(),                                          // policy missing
      {{"policy", nullptr}},
      {{"policy", "free"}},
      {{"policy", json::array()}},
      {{"policy", {{"paid", {{"max_seats", 1}}}}}},              // paid licenses are not limited
      {{"policy", {{"gratis", json::object()}}}},
      {{"policy", {{"free", 1}}}},
      {{"policy", {{"free", {{"seats", 1}}}}}},                  // unknown field
      {{"policy", {{"free", {{"tiers", json::array({"platinum"})}}}}}},       // not a tier of the product
      {{"policy", {{"free", {{"tiers", "basic"}}}}}},
      {{"policy", {{"free", {{"tiers", json::array({1})}}}}}},
      {{"policy", {{"free", {{"max_seats", 0}}}}}},
      {{"policy", {{"free", {{"max_seats", -1}}}}}},
      {{"policy", {{"free", {{"max_seats", 1'000'001}}}}}},
      {{"policy", {{"free", {{"max_seats", "3"}}}}}},
      {{"policy", {{"free", {{"max_seats", 2.5}}}}}},
      {{"policy", {{"trial", {{"features", json::array({true})}}}}}},
      {{"policy", {{"trial", {{"features", "export"}}}}}},
      {{"tiers", {"pro", "basic", "max"}}},                     // tiers may only be appended
      {{"tiers", json::array({"basic"})}},
      {{"min_version", {{"free", "v20"}}}},
      {{"min_version_from", {{"free", "tomorrow"}}}},
      {{"min_version_from", {{"gratis", "2030-01-01T00:00:00Z"}}}},
      {{"prices", {{"platinum", price}}}},
      {{"name", nullptr}},
      {{"colour", "red"}},
  };
  for (const auto& body : bad) {
    CAPTURE(body.dump());
    CHECK_ERROR(w.as_operator.patch(path, body), 400, "bad_request");
    auto create = body;
    create["id"] = "bad-" + unique_suffix();
    if (body.contains("policy") && !body.at("policy").is_null() && !body.contains("name"))
      CHECK_ERROR(w.as_operator.post("/v1/products", create), 400, "bad_request");
  }
  CHECK_ERROR(w.as_operator.request("PATCH", path, "{"), 400, "bad_request");
  CHECK_ERROR(w.as_operator.patch("/v1/products/no-such-product", {{"policy", json::object()}}), 404, "product_not_found");
  CHECK_ERROR(w.as_operator.patch("/v1/products/" + std::string(600, 'p'), {{"policy", json::object()}}), 404,
              "product_not_found");
  CHECK(w.as_operator.get(path).json.at("policy").at("free").at("max_seats") == 1);
}

TEST_CASE("features per tier: a trial of the tier may carry them, one of another tier may not") {
  policy_world w;
  const auto product = product_with(w.as_operator, {{"trial", {{"tier_features", {{"pro", {"sso"}}}}}}});
  CHECK(w.as_operator.get("/v1/products/" + product).json.at("policy").at("trial").at("tier_features") == json{{"pro", {"sso"}}});
  CHECK(w.issue(product, "trial", {{"tier", "pro"}, {"features", {"sso"}}}).status == 201);
  CHECK_ERROR(w.issue(product, "trial", {{"tier", "basic"}, {"features", {"sso"}}}), 422, "product_policy");
  CHECK_ERROR(w.as_operator.patch("/v1/products/" + product, {{"policy", {{"trial", {{"tier_features", {{"gold", {"sso"}}}}}}}}}),
              400, "bad_request");
  CHECK_ERROR(w.as_operator.patch("/v1/products/" + product, {{"policy", {{"trial", {{"tier_features", {{"pro", "sso"}}}}}}}}),
              400, "bad_request");
}

TEST_CASE("a trial cannot be upgraded out of its product's policy for free") {
  policy_world w;
  const auto product = product_with(w.as_operator, {{"trial", {{"tiers", {"basic", "pro"}}, {"max_seats", 25}}}});
  const auto trial = w.trial(product, {{"tier", "basic"}});
  REQUIRE(trial.status == 201);
  const auto upgrade = "/v1/licenses/" + trial.json.at("id").get<std::string>() + "/upgrade";
  CHECK_ERROR(w.as_partner.post(upgrade, {{"tier", "max"}}), 422, "product_policy");
  CHECK(w.as_partner.get("/v1/licenses/" + trial.json.at("id").get<std::string>()).json.at("tier") == "basic");
  CHECK(w.as_partner.post(upgrade, {{"tier", "pro"}}).status == 200);
}

TEST_CASE("an operator corrects a product: name, a tier appended, prices, minimum versions; audited before and after") {
  policy_world w;
  const auto product = product_with(w.as_operator);
  const auto path = "/v1/products/" + product;
  const json premium_price{{"currency", "EUR"}, {"seat_month", 2500}, {"seat_year", 25000}};
  const auto corrected = w.as_operator.patch(
      path, {{"name", "Editor 2"},
             {"tiers", {"basic", "pro", "max", "premium"}},
             {"prices", {{"basic", price}, {"premium", premium_price}}},
             {"min_version", {{"free", "20"}}},
             {"min_version_from", {{"free", "2030-01-01T00:00:00Z"}}}});
  REQUIRE(corrected.status == 200);
  CHECK(w.as_partner.get(path).json == corrected.json);
  CHECK(corrected.json.at("name") == "Editor 2");
  CHECK(corrected.json.at("tiers") == json{"basic", "pro", "max", "premium"});
  CHECK(corrected.json.at("prices") == json{{"basic", price}, {"premium", premium_price}});
  CHECK(corrected.json.at("min_version") == json{{"free", "20"}});
  CHECK(corrected.json.at("min_version_from") == json{{"free", "2030-01-01T00:00:00Z"}});
  CHECK(corrected.json.at("policy").at("free").at("max_seats") == 1);  // left as it was

  // The next free license carries the minimum; the appended tier can be sold.
  CHECK(w.issue(product, "free").json.at("min_version") == "20");
  CHECK(w.as_partner.post("/v1/subscriptions", {{"customer_id", w.customer()}, {"product", product}, {"tier", "premium"}})
            .status == 201);

  bool audited = false;
  for (const auto& entry : audit_entries(w.as_operator, "product.update")) {
    if (entry.at("target") != product) continue;
    audited = true;
    CHECK(entry.at("details").at("before").at("name") == product);
    CHECK(entry.at("details").at("before").at("tiers") == json{"basic", "pro", "max"});
    CHECK(entry.at("details").at("after").at("name") == "Editor 2");
    CHECK(entry.at("details").at("after").at("min_version") == json{{"free", "20"}});
  }
  CHECK(audited);
}
