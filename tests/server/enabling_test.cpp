// Partner enabling requests (the advisor flow): a partner that cannot issue asks with a message;
// operators see the pending requests and approve or refuse with a reply; both sides hear of it
// by events; a refused partner may ask again.
#include "server_test.hpp"

using namespace licensor::testing;
using nlohmann::json;

namespace {

std::vector<std::string> pending_ids(https_client& as_operator) {
  std::vector<std::string> ids;
  const auto page = as_operator.get("/v1/enabling-requests?limit=500");
  REQUIRE(page.status == 200);
  for (const auto& partner : page.json.at("items")) ids.push_back(partner.at("id").get<std::string>());
  return ids;
}

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::vector<json> partner_events(https_client& as_operator, const std::string& partner_id) {
  std::vector<json> events;
  std::uint64_t after = 0;
  for (;;) {
    const auto page = as_operator.get("/v1/events?limit=500&after=" + std::to_string(after));
    REQUIRE(page.status == 200);
    if (page.json.at("items").empty()) return events;
    for (const auto& event : page.json.at("items"))
      if (event.at("subject") == "partner:" + partner_id) events.push_back(event);
    after = page.json.at("items").back().at("seq").get<std::uint64_t>();
  }
}

}  // namespace

TEST_CASE("a partner asks to be enabled; an operator refuses with a reply, then approves the next request") {
  auto& server = shared_server();
  auto as_operator = server.operator_client();
  const auto partner = partner_create(as_operator, partner_spec().with_can_issue(false));
  auto as_partner = server.client(partner.api_key);
  const auto product = product_create(as_operator);
  const auto customer = customer_fresh(as_partner).at("id").get<std::string>();
  CHECK_ERROR(license_issue_try(as_partner, {customer, product, "paid"}), 403, "partner_not_enabled");
  CHECK_FALSE(contains(pending_ids(as_operator), partner.id));

  const auto asked = as_partner.post("/v1/enabling-requests", {{"message", "Somos asesores desde 2009"}});
  REQUIRE(asked.status == 202);
  CHECK(asked.json.at("enabling_request").at("status") == "pending");
  CHECK(asked.json.at("enabling_request").at("message") == "Somos asesores desde 2009");
  CHECK(contains(pending_ids(as_operator), partner.id));

  const auto path = "/v1/enabling-requests/" + partner.id;
  CHECK_ERROR(as_operator.post(path + "/refuse", json::object()), 400, "bad_request");  // a refusal says why
  const auto refused = as_operator.post(path + "/refuse", {{"reply", "Send us your registration number first"}});
  REQUIRE(refused.status == 200);
  CHECK(refused.json.at("can_issue") == false);
  CHECK(refused.json.at("enabling_request").at("status") == "refused");
  CHECK(refused.json.at("enabling_request").at("reply") == "Send us your registration number first");
  CHECK(as_partner.get("/v1/partners/" + partner.id).status == 403);  // partners do not read partners
  CHECK_FALSE(contains(pending_ids(as_operator), partner.id));
  CHECK_ERROR(as_operator.post(path + "/approve"), 409, "conflict");  // nothing pending
  CHECK_ERROR(license_issue_try(as_partner, {customer, product, "paid"}), 403, "partner_not_enabled");

  REQUIRE(as_partner.post("/v1/enabling-requests", {{"message", "Registration number B-12345678"}}).status == 202);
  const auto approved = as_operator.post(path + "/approve", {{"reply", "Welcome aboard"}});
  REQUIRE(approved.status == 200);
  CHECK(approved.json.at("can_issue") == true);
  CHECK(approved.json.at("enabling_request").at("status") == "approved");
  CHECK(approved.json.at("enabling_request").at("reply") == "Welcome aboard");
  CHECK(license_issue_try(as_partner, {customer, product, "paid"}).status == 201);
  CHECK(as_partner.post("/v1/enabling-requests", json::object()).status == 200);  // enabled: nothing to ask

  std::vector<std::string> types;
  for (const auto& event : partner_events(as_operator, partner.id)) types.push_back(event.at("type").get<std::string>());
  CHECK(types == std::vector<std::string>{"partner.enabling_requested", "partner.enabling_refused",
                                          "partner.enabling_requested", "partner.enabled"});
  CHECK(audit_entries(as_operator, "partner.enabling_refuse").back().at("details").at("reply") ==
        "Send us your registration number first");
  CHECK_ERROR(as_operator.post("/v1/enabling-requests/par_nope/approve"), 404, "partner_not_found");
  CHECK_ERROR(as_operator.post(path + "/refuse", {{"reply", std::string(2001, 'r')}}), 400, "bad_request");
}
