// Customer self-service over HTTPS: a customer's people, invited by their partner, sign in and
// manage their own subscriptions once the partner allows it, paying the list price (the
// partner's discount is the partner's), with the ledger naming who bought; they reach nothing of
// another customer and cannot act outside the change windows. The server's clock is the test
// clock, so the 7-day windows are crossed on purpose.
#include "licensor/rfc3339.hpp"
#include "server_test.hpp"

using namespace licensor::testing;
using json = nlohmann::json;

namespace {

constexpr std::int64_t start = 1'900'000'000;

struct self_service_world {
  licensord_process server{{"--test-clock"}};
  https_client op = server.operator_client();
  https_client web = server.client();
  std::string product = "app-" + unique_suffix();
  partner_account partner;
  https_client as_partner;
  json customer, other_customer;

  self_service_world() : partner(partner_setup()), as_partner(server.client(partner.api_key)) {
    customer = customer_fresh(as_partner, "self");
    other_customer = customer_fresh(as_partner, "other");
  }
  partner_account partner_setup() {
    clock_set(start);
    const json price{{"currency", "EUR"}, {"seat_month", 1'000}, {"seat_year", 12'000}};
    expect_status(op.post("/v1/products", {{"id", product}, {"tiers", {"basic", "pro"}}, {"prices", {{"basic", price}, {"pro", price}}}}),
                  201, "product");
    auto made = partner_create(op, partner_spec{"gold", {}, true, "reseller"});
    expect_status(op.request("PATCH", "/v1/partners/" + made.id, json{{"discount_percent", 20}}.dump()), 200, "discount");
    return made;
  }
  void clock_set(std::int64_t at) {
    expect_status(op.post("/v1/test/clock", {{"now", licensor::rfc3339_format(at)}}), 200, "clock");
  }
  std::string subscription_of(const json& owner, int seats = 3) {
    auto created = as_partner.post("/v1/subscriptions", {{"customer_id", owner.at("id")}, {"product", product}, {"tier", "basic"},
                                                         {"term", "monthly"}, {"seats", seats}});
    expect_status(created, 201, "subscription");
    return created.json.at("id");
  }
  void self_service(bool allowed) {
    const auto changed = as_partner.request("PATCH", "/v1/customers/" + customer.at("id").get<std::string>(),
                                            json{{"self_service", allowed}}.dump());
    expect_status(changed, 200, "self-service");
    CHECK(changed.json.at("self_service") == allowed);
  }
  // One of the customer's people, invited by the partner (its first key is a global_admin).
  json person(const std::string& role, const std::string& email) {
    return person_invite_accept(as_partner, web, {{"email", email}, {"role", role}, {"customer_id", customer.at("id")}}, password);
  }
  person_session sign_in(const std::string& email) { return person_sign_in(web, server.port(), email, password); }
  json ledger_last(const std::string& license_id) {
    const auto ledger = as_partner.get("/v1/licenses/" + license_id + "/ledger");
    expect_status(ledger, 200, "ledger");
    return ledger.json.at("items").back();
  }
};

}  // namespace

TEST_CASE("a customer admin adds a member, buys seats at the list price and cancels within the window, once allowed") {
  self_service_world w;
  const auto admin_email = "admin" + unique_suffix() + "@example.com";
  const auto admin = w.person("customer_admin", admin_email);
  CHECK(admin.at("kind") == "customer");
  CHECK(admin.at("customer_id") == w.customer.at("id"));
  CHECK(admin.at("partner_id") == w.partner.id);
  const auto id = w.subscription_of(w.customer);
  const auto other = w.subscription_of(w.other_customer);
  auto me = w.sign_in(admin_email);
  const auto path = "/v1/licenses/" + id;

  // Self-service off (the default): the customer's people read, and change nothing.
  const auto listed = me.send(w.web, "GET", "/v1/licenses");
  expect_status(listed, 200, "list");
  REQUIRE(listed.json.at("items").size() == 1);
  CHECK(listed.json.at("items")[0].at("id") == id);
  CHECK_ERROR(me.send(w.web, "POST", path + "/seats", {{"seats", 5}}), 403, "forbidden");
  CHECK_ERROR(me.send(w.web, "POST", path + "/members", {{"email", "m1@example.com"}}), 403, "forbidden");
  CHECK_ERROR(me.send(w.web, "POST", path + "/cancel", json::object()), 403, "forbidden");
  CHECK(me.send(w.web, "POST", path + "/seats", {{"seats", 5}}).json.at("error").at("message").get<std::string>().find("self-service") !=
        std::string::npos);

  // Allowed: the same session may now act.
  w.self_service(true);
  expect_status(me.send(w.web, "POST", path + "/members", {{"email", "m1@example.com"}}), 201, "member");
  const auto bought = me.send(w.web, "POST", path + "/seats", {{"seats", 5}});
  expect_status(bought, 200, "seats");
  CHECK(bought.json.at("seats") == 5);
  const auto own_purchase = w.ledger_last(id);
  CHECK(own_purchase.at("reason") == "seats_added");
  CHECK(own_purchase.at("discount_percent") == 0);
  CHECK(own_purchase.at("by") == "user:" + admin.at("id").get<std::string>());
  const auto list_unit = own_purchase.at("amount").get<std::int64_t>() / 2;
  // The partner buying one more seat the same day pays its discounted price.
  expect_status(w.as_partner.post(path + "/seats", {{"seats", 6}}), 200, "partner seats");
  const auto partner_purchase = w.ledger_last(id);
  CHECK(partner_purchase.at("discount_percent") == 20);
  CHECK(partner_purchase.at("by").get<std::string>().starts_with("partner:"));
  CHECK(partner_purchase.at("amount").get<std::int64_t>() == list_unit * 80 / 100);
  const auto audited = audit_entries(w.op, "subscription.seats");
  REQUIRE_FALSE(audited.empty());
  CHECK(audited.front().at("actor") == "user:" + admin.at("id").get<std::string>());

  // Never another customer's license, even of the same partner: not found.
  CHECK_ERROR(me.send(w.web, "GET", "/v1/licenses/" + other), 404, "license_not_found");
  CHECK_ERROR(me.send(w.web, "POST", "/v1/licenses/" + other + "/seats", {{"seats", 5}}), 404, "license_not_found");
  CHECK_ERROR(me.send(w.web, "POST", "/v1/licenses/" + other + "/cancel", json::object()), 404, "license_not_found");
  // Nor the partner's own business.
  CHECK_ERROR(me.send(w.web, "GET", "/v1/customers"), 403, "forbidden");
  CHECK_ERROR(me.send(w.web, "GET", path + "/ledger"), 403, "forbidden");
  CHECK_ERROR(me.send(w.web, "POST", "/v1/subscriptions", {{"customer_id", w.customer.at("id")}, {"product", w.product}}), 403,
              "forbidden");

  // Within the window the customer cancels, refunded as the rules say.
  const auto cancelled = me.send(w.web, "POST", path + "/cancel", json::object());
  expect_status(cancelled, 200, "cancel");
  CHECK(cancelled.json.at("status") == "cancelled");
  CHECK(w.ledger_last(id).at("reason") == "cancellation");
  CHECK(w.ledger_last(id).at("by") == "user:" + admin.at("id").get<std::string>());
}

TEST_CASE("a customer admin cannot lower seats or cancel outside the window, nor lift the partner's suspension") {
  self_service_world w;
  const auto admin_email = "admin" + unique_suffix() + "@example.com";
  (void)w.person("customer_admin", admin_email);
  w.self_service(true);
  const auto id = w.subscription_of(w.customer, 5);
  const auto path = "/v1/licenses/" + id;
  {
    auto me = w.sign_in(admin_email);
    expect_status(me.send(w.web, "POST", path + "/seats", {{"seats", 4}}), 200, "a decrease on day 0");
  }
  w.clock_set(start + 8 * day);  // the sessions of day 0 are over: sign in again
  auto me = w.sign_in(admin_email);
  CHECK_ERROR(me.send(w.web, "POST", path + "/seats", {{"seats", 3}}), 422, "seat_decrease_window_closed");
  CHECK_ERROR(me.send(w.web, "POST", path + "/cancel", json::object()), 422, "cancel_window_closed");
  expect_status(me.send(w.web, "POST", path + "/seats", {{"seats", 6}}), 200, "an increase is always allowed");

  expect_status(w.as_partner.post(path + "/suspend"), 200, "suspend");
  CHECK_ERROR(me.send(w.web, "POST", path + "/reactivate", json::object()), 403, "forbidden");
  expect_status(w.as_partner.post(path + "/reactivate", json::object()), 200, "the partner reactivates");
}

TEST_CASE("a customer member reaches only the licenses it holds a seat of, and changes none") {
  self_service_world w;
  w.self_service(true);
  const auto member_email = "member" + unique_suffix() + "@example.com";
  (void)w.person("customer_member", member_email);
  const auto seated = w.subscription_of(w.customer);
  const auto unseated = w.subscription_of(w.customer);
  expect_status(w.as_partner.post("/v1/licenses/" + seated + "/members", {{"email", member_email}}), 201, "seat");
  auto me = w.sign_in(member_email);
  const auto listed = me.send(w.web, "GET", "/v1/licenses");
  expect_status(listed, 200, "list");
  REQUIRE(listed.json.at("items").size() == 1);
  CHECK(listed.json.at("items")[0].at("id") == seated);
  expect_status(me.send(w.web, "GET", "/v1/licenses/" + seated), 200, "own seat");
  CHECK_ERROR(me.send(w.web, "GET", "/v1/licenses/" + unseated), 404, "license_not_found");
  CHECK_ERROR(me.send(w.web, "POST", "/v1/licenses/" + seated + "/seats", {{"seats", 9}}), 403, "forbidden");
  CHECK_ERROR(me.send(w.web, "POST", "/v1/users", {{"email", "x@example.com"}, {"role", "customer_member"}}), 403, "forbidden");
}

TEST_CASE("customers' people: invited by their partner or their admin only, into customer roles, moved and gone with the customer") {
  self_service_world w;
  const auto admin_email = "admin" + unique_suffix() + "@example.com";
  (void)w.person("customer_admin", admin_email);
  w.self_service(true);
  auto me = w.sign_in(admin_email);
  // A customer admin invites colleagues into its own customer, with customer roles only.
  const auto invited = me.send(w.web, "POST", "/v1/users", {{"email", "colleague@example.com"}, {"role", "customer_member"}});
  expect_status(invited, 201, "invite a colleague");
  CHECK(invited.json.at("customer_id") == w.customer.at("id"));
  CHECK_ERROR(me.send(w.web, "POST", "/v1/users", {{"email", "c2@example.com"}, {"role", "global_admin"}}), 400, "bad_request");
  CHECK_ERROR(me.send(w.web, "POST", "/v1/users",
                      {{"email", "c3@example.com"}, {"role", "customer_member"}, {"customer_id", w.other_customer.at("id")}}),
              404, "customer_not_found");
  const auto colleagues = me.send(w.web, "GET", "/v1/users");
  expect_status(colleagues, 200, "colleagues");
  CHECK(colleagues.json.at("items").size() == 2);
  for (const auto& user : colleagues.json.at("items")) CHECK(user.at("customer_id") == w.customer.at("id"));
  CHECK_ERROR(me.send(w.web, "GET", "/v1/api-keys"), 403, "forbidden");  // customers have no API keys

  // Another partner cannot invite into this customer; the partner lists its customer's people.
  auto stranger = w.server.client(partner_create(w.op).api_key);
  CHECK_ERROR(stranger.post("/v1/users", {{"email", "x@example.com"}, {"role", "customer_admin"}, {"customer_id", w.customer.at("id")}}),
              404, "customer_not_found");
  const auto theirs = w.as_partner.get("/v1/users?customer_id=" + w.customer.at("id").get<std::string>());
  expect_status(theirs, 200, "partner lists");
  CHECK(theirs.json.at("items").size() == 2);
  CHECK_ERROR(stranger.get("/v1/users?customer_id=" + w.customer.at("id").get<std::string>()), 404, "customer_not_found");

  // Self-service withdrawn: reading goes on, inviting stops at once.
  w.self_service(false);
  expect_status(me.send(w.web, "GET", "/v1/licenses"), 200, "still reads");
  CHECK_ERROR(me.send(w.web, "POST", "/v1/users", {{"email", "c4@example.com"}, {"role", "customer_member"}}), 403, "forbidden");

  // A customer reassigned to another partner takes its people along.
  const auto moving = customer_fresh(w.as_partner, "moving");
  const auto moving_id = moving.at("id").get<std::string>();
  const auto moving_email = "moving" + unique_suffix() + "@example.com";
  (void)person_invite_accept(w.as_partner, w.web, {{"email", moving_email}, {"role", "customer_admin"}, {"customer_id", moving_id}},
                             password);
  const auto next_partner = partner_create(w.op);
  expect_status(w.op.post("/v1/customers/" + moving_id + "/reassign", {{"partner_id", next_partner.id}}), 200, "reassign");
  auto next = w.server.client(next_partner.api_key);
  const auto moved = next.get("/v1/users?customer_id=" + moving_id);
  expect_status(moved, 200, "the new partner lists them");
  REQUIRE(moved.json.at("items").size() == 1);
  CHECK(moved.json.at("items")[0].at("partner_id") == next_partner.id);
  CHECK_ERROR(w.as_partner.get("/v1/users?customer_id=" + moving_id), 404, "customer_not_found");
  const auto mover = w.sign_in(moving_email);
  CHECK(mover.send(w.web, "GET", "/v1/me").json.at("partner_id") == next_partner.id);

  // A deleted customer's people are signed out and cannot sign in again.
  const auto gone = customer_fresh(w.as_partner, "gone");
  const auto gone_email = "gone" + unique_suffix() + "@example.com";
  (void)person_invite_accept(w.as_partner, w.web, {{"email", gone_email}, {"role", "customer_admin"}, {"customer_id", gone.at("id")}},
                             password);
  const auto leaving = w.sign_in(gone_email);
  expect_status(w.op.del("/v1/customers/" + gone.at("id").get<std::string>()), 200, "delete the customer");
  CHECK_ERROR(leaving.send(w.web, "GET", "/v1/me"), 401, "unauthorized");
  CHECK_ERROR(w.web.post("/v1/sessions", {{"email", gone_email}, {"password", password}}), 401, "unauthorized");
}
