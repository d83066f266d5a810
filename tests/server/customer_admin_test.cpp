// Operators delete and reassign customers (so a partner cannot squat a prospect's email for
// ever), and every registration refused with email_taken is audited. Partners get 403 on both.
#include "server_test.hpp"

using namespace licensor::testing;
using nlohmann::json;

namespace {

struct two_partners {
  licensord_process& server = shared_server();
  https_client as_operator = server.operator_client();
  std::string product = product_create(as_operator);
  partner_account a = partner_create(as_operator);
  partner_account b = partner_create(as_operator);
  https_client as_a = server.client(a.api_key);
  https_client as_b = server.client(b.api_key);
  https_client anyone = server.client();
};

std::string customer_path(const std::string& id) { return "/v1/customers/" + id; }

// The entry of `entries` about `target`; it points into `entries`, which must outlive it.
const json* audit_find(const std::vector<json>& entries, const std::string& target) {
  for (const auto& entry : entries)
    if (entry.at("target") == target) return &entry;
  return nullptr;
}

}  // namespace

TEST_CASE("an operator deletes a customer without licenses, and its email can be registered again") {
  two_partners w;
  const auto customer = customer_fresh(w.as_a, "squatted");
  const auto id = customer.at("id").get<std::string>();
  const auto email = customer.at("email").get<std::string>();

  const auto deleted = w.as_operator.del(customer_path(id));
  REQUIRE(deleted.status == 200);
  CHECK(deleted.json == json{{"id", id}, {"deleted", true}});
  CHECK_ERROR(w.as_operator.get(customer_path(id)), 404, "customer_not_found");
  CHECK_ERROR(w.as_a.get(customer_path(id)), 404, "customer_not_found");
  CHECK(w.as_a.get("/v1/customers").json.at("items").empty());
  CHECK_ERROR(w.as_operator.del(customer_path(id)), 404, "customer_not_found");  // once only
  CHECK_ERROR(license_issue_try(w.as_a, {id, w.product, "paid"}), 404, "customer_not_found");

  // The email is free again, for any partner, and names a new customer.
  const auto again = customer_create(w.as_b, email);
  CHECK(again.at("id") != id);
  CHECK(again.at("partner_id") == w.b.id);

  const auto deletions = audit_entries(w.as_operator, "customer.delete");
  const auto* entry = audit_find(deletions, id);
  REQUIRE(entry != nullptr);
  CHECK(entry->at("actor") == "operator");
  CHECK(entry->at("details").at("partner_id") == w.a.id);
}

TEST_CASE("a customer bound to a license cannot be deleted or reassigned: customer_has_licenses") {
  two_partners w;
  const auto id = customer_fresh(w.as_a).at("id").get<std::string>();

  SUBCASE("a paid license, until it is deleted") {
    const auto license = license_issue(w.as_a, {id, w.product, "paid"}).at("id").get<std::string>();
    CHECK_ERROR(w.as_operator.del(customer_path(id)), 409, "customer_has_licenses");
    CHECK_ERROR(w.as_operator.post(customer_path(id) + "/reassign", {{"partner_id", w.b.id}}), 409, "customer_has_licenses");
    CHECK(w.as_a.get(customer_path(id)).json.at("partner_id") == w.a.id);  // refused, so unchanged
    REQUIRE(w.as_a.del("/v1/licenses/" + license).status == 200);
    CHECK(w.as_operator.del(customer_path(id)).status == 200);
  }
  SUBCASE("a license unlinked from the customer no longer binds it") {
    const auto license = license_issue(w.as_a, {id, w.product, "paid"}).at("id").get<std::string>();
    REQUIRE(w.as_a.post("/v1/licenses/" + license + "/unlink").status == 200);
    CHECK(w.as_operator.post(customer_path(id) + "/reassign", {{"partner_id", w.b.id}}).status == 200);
  }
  SUBCASE("a free license") {
    (void)license_issue(w.as_a, {id, w.product, "free"});
    CHECK_ERROR(w.as_operator.del(customer_path(id)), 409, "customer_has_licenses");
    CHECK_ERROR(w.as_operator.post(customer_path(id) + "/reassign", {{"partner_id", w.b.id}}), 409, "customer_has_licenses");
    CHECK(w.as_a.get(customer_path(id)).json.at("partner_id") == w.a.id);
  }
  SUBCASE("a trial license") {
    (void)license_issue(w.as_a, {id, w.product, "trial"});
    CHECK_ERROR(w.as_operator.del(customer_path(id)), 409, "customer_has_licenses");
  }
  SUBCASE("a subscription with a member") {
    const auto priced = "priced-" + unique_suffix();
    const json price{{"currency", "EUR"}, {"seat_month", 1000}, {"seat_year", 10000}};
    expect_status(w.as_operator.post("/v1/products", {{"id", priced}, {"tiers", json::array({"basic"})}, {"prices", {{"basic", price}}}}),
                  201, "priced product");
    const auto sub = w.as_a.post("/v1/subscriptions", {{"customer_id", id}, {"product", priced}, {"seats", 2}});
    REQUIRE(sub.status == 201);
    const auto sub_id = sub.json.at("id").get<std::string>();
    REQUIRE(w.as_a.post("/v1/licenses/" + sub_id + "/members", {{"email", "member-" + unique_suffix() + "@example.com"}}).status == 201);
    CHECK_ERROR(w.as_operator.del(customer_path(id)), 409, "customer_has_licenses");
    CHECK_ERROR(w.as_operator.post(customer_path(id) + "/reassign", {{"partner_id", w.b.id}}), 409, "customer_has_licenses");
    CHECK(w.as_a.get(customer_path(id)).json.at("partner_id") == w.a.id);
  }
}

TEST_CASE("an operator reassigns a customer to another partner, which then manages it alone") {
  two_partners w;
  const auto id = customer_fresh(w.as_a).at("id").get<std::string>();

  const auto moved = w.as_operator.post(customer_path(id) + "/reassign", {{"partner_id", w.b.id}});
  REQUIRE(moved.status == 200);
  CHECK(moved.json.at("id") == id);
  CHECK(moved.json.at("partner_id") == w.b.id);

  CHECK_ERROR(w.as_a.get(customer_path(id)), 404, "customer_not_found");
  CHECK(w.as_a.get("/v1/customers").json.at("items").empty());
  CHECK_ERROR(license_issue_try(w.as_a, {id, w.product, "paid"}), 404, "customer_not_found");
  CHECK(w.as_b.get(customer_path(id)).json.at("partner_id") == w.b.id);
  const auto listed = w.as_b.get("/v1/customers").json.at("items");
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].at("id") == id);
  CHECK(license_issue_try(w.as_b, {id, w.product, "free"}).status == 201);
  CHECK(w.as_operator.get("/v1/customers?partner_id=" + w.a.id).json.at("items").empty());

  const auto reassignments = audit_entries(w.as_operator, "customer.reassign");
  const auto* entry = audit_find(reassignments, id);
  REQUIRE(entry != nullptr);
  CHECK(entry->at("actor") == "operator");
  CHECK(entry->at("details") == json{{"from_partner_id", w.a.id}, {"to_partner_id", w.b.id}});
}

TEST_CASE("partners, other partners and anonymous callers can neither delete nor reassign") {
  two_partners w;
  const auto id = customer_fresh(w.as_a).at("id").get<std::string>();
  const json to_b{{"partner_id", w.b.id}};
  const json to_a{{"partner_id", w.a.id}};
  CHECK_ERROR(w.as_a.del(customer_path(id)), 403, "forbidden");
  CHECK_ERROR(w.as_b.del(customer_path(id)), 403, "forbidden");
  CHECK_ERROR(w.anyone.del(customer_path(id)), 401, "unauthorized");
  CHECK_ERROR(w.as_a.post(customer_path(id) + "/reassign", to_b), 403, "forbidden");
  CHECK_ERROR(w.as_b.post(customer_path(id) + "/reassign", to_b), 403, "forbidden");  // taking it
  CHECK_ERROR(w.as_a.post(customer_path(id) + "/reassign", to_a), 403, "forbidden");
  CHECK_ERROR(w.anyone.post(customer_path(id) + "/reassign", to_b), 401, "unauthorized");
  // The same answer for an id that does not exist: nothing to probe.
  CHECK_ERROR(w.as_b.del(customer_path("cus_nope")), 403, "forbidden");
  CHECK(w.as_a.get(customer_path(id)).json.at("partner_id") == w.a.id);
  CHECK(audit_find(audit_entries(w.as_operator, "customer.delete"), id) == nullptr);
  CHECK(audit_find(audit_entries(w.as_operator, "customer.reassign"), id) == nullptr);
}

TEST_CASE("bad deletes and reassignments get a clear 4xx, never a 5xx") {
  two_partners w;
  const auto id = customer_fresh(w.as_a).at("id").get<std::string>();
  const auto reassign = customer_path(id) + "/reassign";
  const std::string oversize(600, 'c');

  CHECK_ERROR(w.as_operator.del(customer_path("cus_nope")), 404, "customer_not_found");
  CHECK_ERROR(w.as_operator.del(customer_path(oversize)), 404, "customer_not_found");
  CHECK_ERROR(w.as_operator.request("DELETE", customer_path(id), R"({"force":true})"), 400, "bad_request");
  CHECK_ERROR(w.as_operator.request("DELETE", customer_path(id), "[]"), 400, "bad_request");
  CHECK_ERROR(w.as_operator.request("PUT", customer_path(id), "{}"), 405, "method_not_allowed");

  CHECK_ERROR(w.as_operator.post(customer_path("cus_nope") + "/reassign", {{"partner_id", w.b.id}}), 404, "customer_not_found");
  CHECK_ERROR(w.as_operator.post(customer_path(oversize) + "/reassign", {{"partner_id", w.b.id}}), 404, "customer_not_found");
  CHECK_ERROR(w.as_operator.post(reassign, {{"partner_id", "par_nope"}}), 404, "partner_not_found");
  CHECK_ERROR(w.as_operator.post(reassign, {{"partner_id", ""}}), 404, "partner_not_found");
  CHECK_ERROR(w.as_operator.post(reassign, {{"partner_id", oversize}}), 404, "partner_not_found");
  CHECK_ERROR(w.as_operator.post(reassign, {{"partner_id", w.a.id}}), 409, "conflict");  // already there
  for (const auto& body : {json::object(), json{{"partner_id", nullptr}}, json{{"partner_id", 42}},
                           json{{"partner_id", json::array({w.b.id})}}, json{{"partner_id", w.b.id}, {"licenses", true}}}) {
    CAPTURE(body.dump());
    CHECK_ERROR(w.as_operator.post(reassign, body), 400, "bad_request");
  }
  CHECK_ERROR(w.as_operator.request("POST", reassign, "{"), 400, "bad_request");
  CHECK_ERROR(w.as_operator.request("POST", reassign, "[]"), 400, "bad_request");
  // Nothing of it changed the customer.
  CHECK(w.as_operator.get(customer_path(id)).json.at("partner_id") == w.a.id);
}

TEST_CASE("every registration refused with email_taken is audited, naming the holder and who tried") {
  two_partners w;
  const auto held = customer_fresh(w.as_a, "prospect");
  const auto holder = held.at("id").get<std::string>();
  const auto email = held.at("email").get<std::string>();

  CHECK_ERROR(customer_create_try(w.as_b, " " + email + " "), 409, "email_taken");
  CHECK_ERROR(w.as_operator.post("/v1/customers", {{"email", email}, {"partner_id", w.b.id}}), 409, "email_taken");
  CHECK_ERROR(customer_create_try(w.as_a, email), 409, "email_taken");

  std::vector<json> tries;
  for (const auto& entry : audit_entries(w.as_operator, "customer.email_taken"))
    if (entry.at("target") == holder) tries.push_back(entry);
  REQUIRE(tries.size() == 3);
  CHECK(tries[0].at("actor").get<std::string>().starts_with("partner:" + w.b.id + ":"));
  CHECK(tries[0].at("details").at("partner_id") == w.b.id);
  CHECK(tries[1].at("actor") == "operator");
  CHECK(tries[1].at("details").at("partner_id") == w.b.id);
  CHECK(tries[2].at("actor").get<std::string>().starts_with("partner:" + w.a.id + ":"));
  // The refusal created nothing.
  CHECK(w.as_b.get("/v1/customers").json.at("items").empty());
  // Another refusal (invalid_email) is not an email_taken entry.
  CHECK_ERROR(customer_create_try(w.as_b, "not-an-email"), 422, "invalid_email");
  CHECK(audit_entries(w.as_operator, "customer.email_taken").size() >= 3);
}
