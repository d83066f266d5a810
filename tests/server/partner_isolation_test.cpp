// DESIGN 4.7 and 5: a partner sees and changes only its own customers and licenses; another
// partner's ids answer 404, never 403. Issuing needs can_issue.
#include "server_test.hpp"

using namespace licensor::testing;

namespace {

// Every id in a paged listing, following "next".
std::vector<std::string> ids_listed(https_client& client, const std::string& path) {
  std::vector<std::string> ids;
  std::string after;
  for (int page = 0; page < 1000; ++page) {
    const auto reply = client.get(path + "?limit=50" + (after.empty() ? "" : "&after=" + after));
    REQUIRE(reply.status == 200);
    for (const auto& item : reply.json.at("items")) ids.push_back(item.at("id").get<std::string>());
    if (reply.json.at("next").is_null()) break;
    after = reply.json.at("next").get<std::string>();
  }
  return ids;
}

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

TEST_CASE("partner B gets 404 on everything of partner A and never lists it") {
  auto& server = shared_server();
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto a = partner_create(as_operator);
  const auto b = partner_create(as_operator);
  auto as_a = server.client(a.api_key);
  auto as_b = server.client(b.api_key);
  const auto customer_a = customer_fresh(as_a)["id"].get<std::string>();
  const auto other_a = customer_fresh(as_a)["id"].get<std::string>();
  const auto customer_b = customer_fresh(as_b)["id"].get<std::string>();
  const auto license_a = license_issue(as_a, {customer_a, product});
  const auto id_a = license_a.at("id").get<std::string>();
  const auto license_path = "/v1/licenses/" + id_a;

  CHECK_ERROR(as_b.get("/v1/customers/" + customer_a), 404, "customer_not_found");
  CHECK_ERROR(as_b.get(license_path), 404, "license_not_found");
  CHECK_ERROR(as_b.get(license_path + "/token"), 404, "license_not_found");
  for (const char* action : {"/suspend", "/reinstate", "/revoke", "/unlink"}) {
    CAPTURE(action);
    CHECK_ERROR(as_b.post(license_path + action), 404, "license_not_found");
  }
  CHECK_ERROR(as_b.post(license_path + "/transfer", {{"customer_id", customer_b}}), 404, "license_not_found");
  CHECK_ERROR(as_b.post(license_path + "/transfer", {{"customer_id", other_a}}), 404, "license_not_found");
  CHECK_ERROR(as_b.del(license_path), 404, "license_not_found");
  // B cannot issue for A's customer, nor act in A's name.
  CHECK_ERROR(license_issue_try(as_b, {customer_a, product}), 404, "customer_not_found");
  CHECK_ERROR(as_b.post("/v1/customers", {{"email", "b-as-a." + unique_suffix() + "@example.com"}, {"partner_id", a.id}}),
              404, "partner_not_found");
  CHECK_ERROR(as_b.post("/v1/licenses", {{"customer_id", customer_a}, {"product", product}, {"kind", "paid"}, {"partner_id", a.id}}),
              404, "partner_not_found");
  // Nor can A move its license to B's customer.
  CHECK_ERROR(as_a.post(license_path + "/transfer", {{"customer_id", customer_b}}), 404, "customer_not_found");

  const auto b_customers = ids_listed(as_b, "/v1/customers");
  CHECK(contains(b_customers, customer_b));
  CHECK_FALSE(contains(b_customers, customer_a));
  CHECK_FALSE(contains(b_customers, other_a));
  CHECK(b_customers.size() == 1);
  CHECK(ids_listed(as_b, "/v1/licenses").empty());
  // A partner's ?partner_id= cannot widen its view.
  CHECK(as_b.get("/v1/customers?partner_id=" + a.id).json.at("items").size() == 1);
  CHECK(as_b.get("/v1/licenses?partner_id=" + a.id).json.at("items").empty());
  const auto b_usage = as_b.get("/v1/usage?partner_id=" + a.id);
  CHECK(b_usage.json.at("partner_id") == b.id);
  CHECK(b_usage.json.at("free_licenses_used") == 0);

  // A's license came through untouched.
  const auto after = as_a.get(license_path);
  REQUIRE(after.status == 200);
  CHECK(after.json.at("status") == "active");
  CHECK(after.json.at("customer_id") == customer_a);
  CHECK(after.json.at("token") == license_a.at("token"));
  CHECK(free_used(as_a) == 1);
  CHECK(contains(ids_listed(as_a, "/v1/licenses"), id_a));
  CHECK(contains(ids_listed(as_a, "/v1/customers"), customer_a));
}

TEST_CASE("a partner cannot issue until an operator enables it") {
  auto& server = shared_server();
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator, partner_spec().with_can_issue(false));
  auto as_partner = server.client(partner.api_key);
  const auto customer = customer_fresh(as_partner)["id"].get<std::string>();
  for (const char* kind : {"free", "paid", "trial"}) {
    CAPTURE(kind);
    CHECK_ERROR(license_issue_try(as_partner, {customer, product, kind}), 403, "partner_not_enabled");
  }
  CHECK(free_used(as_partner) == 0);
  CHECK(as_partner.get("/v1/licenses").json.at("items").empty());

  REQUIRE(as_operator.patch("/v1/partners/" + partner.id, {{"can_issue", true}}).status == 200);
  CHECK(license_issue_try(as_partner, {customer, product}).status == 201);
  REQUIRE(as_operator.patch("/v1/partners/" + partner.id, {{"can_issue", false}}).status == 200);
  CHECK_ERROR(license_issue_try(as_partner, {customer, product, "paid"}), 403, "partner_not_enabled");
}

TEST_CASE("a revoked API key no longer authenticates") {
  auto& server = shared_server();
  auto as_operator = server.operator_client();
  const auto partner = partner_create(as_operator);
  auto as_partner = server.client(partner.api_key);
  REQUIRE(as_partner.get("/v1/usage").status == 200);
  const auto keys = as_operator.post("/v1/partners/" + partner.id + "/api-keys");
  REQUIRE(keys.status == 201);
  const auto second_key = keys.json.at("api_key").get<std::string>();
  REQUIRE(as_operator.del("/v1/partners/" + partner.id + "/api-keys/" + keys.json.at("id").get<std::string>()).status == 200);
  CHECK_ERROR(server.client(second_key).get("/v1/usage"), 401, "unauthorized");
  CHECK(as_partner.get("/v1/usage").status == 200);  // the first key still works
}
