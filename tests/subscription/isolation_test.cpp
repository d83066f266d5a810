// Subscriptions, black box, the gaps the first suite left: partner isolation on every
// subscription route (another partner's record answers 404 with the record's not-found code,
// never 403, and nothing of it changes), add-ons on a trial base and scheduled changes on
// add-ons, and bad input on every route answering a 4xx in the error shape, never a 5xx.
// Runs its own licensord --test-clock; each case works at its own dates with its own partners.
#include <doctest/doctest.h>

#include <cstdio>
#include <limits>
#include <memory>
#include <tuple>
#include <string>
#include <vector>

#include "subscription_test.hpp"

using namespace licensor::testing;
using json = nlohmann::json;

namespace {

https_client& operator_client() {
  static auto client = server().operator_client();
  return client;
}

void clock_set(std::int64_t now) { expect_status(operator_client().post("/v1/test/clock", {{"now", t(now)}}), 200, "test clock"); }

// A priced product (basic < pro < max), shared by the partners of one case.
std::string priced_product() {
  const auto product = "iso-" + unique_suffix();
  const json basic{{"currency", "EUR"}, {"seat_month", 1'000}, {"seat_year", 12'000}};
  const json pro{{"currency", "EUR"}, {"seat_month", 2'000}, {"seat_year", 24'000}};
  const json max{{"currency", "EUR"}, {"seat_month", 3'000}, {"seat_year", 36'000}};
  expect_status(operator_client().post("/v1/products", {{"id", product}, {"tiers", {"basic", "pro", "max"}},
                                                        {"prices", {{"basic", basic}, {"pro", pro}, {"max", max}}}}),
                201, "product");
  return product;
}

// One partner with a customer, subscribing to `product`.
struct seller {
  explicit seller(const std::string& product_id)
      : account(partner_create(operator_client(), partner_spec{"gold", {}, true, "isolation"})),
        api(server().port(), account.api_key),
        product(product_id),
        customer(customer_fresh(api, "iso")) {}

  void clock_at(std::int64_t now) const { clock_set(now); }
  static https_client& anyone() {
    static auto client = server().client();
    return client;
  }
  std::string customer_id() const { return customer.at("id").get<std::string>(); }
  response subscribe_try(const json& extra) {
    json body{{"customer_id", customer_id()}, {"product", product}, {"tier", "basic"}, {"term", "monthly"}};
    body.update(extra);
    return api.post("/v1/subscriptions", body);
  }
  json subscribe(const json& extra = json::object()) {
    auto created = subscribe_try(extra);
    expect_status(created, 201, "subscribe");
    return created.json;
  }
  json get(const std::string& id) {
    auto got = api.get("/v1/licenses/" + id);
    expect_status(got, 200, "get license");
    return got.json;
  }
  response post(const std::string& id, const std::string& action, const json& body = json::object()) {
    return api.post("/v1/licenses/" + id + "/" + action, body);
  }
  json ledger(const std::string& id) {
    auto got = api.get("/v1/licenses/" + id + "/ledger");
    expect_status(got, 200, "ledger");
    return got.json.at("items");
  }

  partner_account account;
  https_client api;
  std::string product;
  json customer;
};

// Everything the owner sees of one subscription: the license, its ledger, members, audit.
json snapshot_of(seller& owner, const std::string& id) {
  auto members = owner.api.get("/v1/licenses/" + id + "/members");
  expect_status(members, 200, "members");
  return {{"license", owner.get(id)}, {"ledger", owner.ledger(id)}, {"members", members.json},
          {"audit", audit_of(operator_client(), id).size()}};
}

}  // namespace

TEST_CASE("partner B gets 404 on every subscription route of partner A, and nothing of A changes") {
  clock_set(at("2061-04-01T00:00:00Z"));
  const auto product = priced_product();
  seller a(product);
  seller b(product);

  auto sub_a = a.subscribe({{"seats", 5}, {"term", "annual"}});
  const auto id = sub_a.at("id").get<std::string>();
  REQUIRE(a.post(id, "members", {{"email", "member." + unique_suffix() + "@example.com"}}).status == 201);
  const auto member = a.api.get("/v1/licenses/" + id + "/members").json.at("items").at(0).at("email").get<std::string>();
  REQUIRE(a.post(id, "scheduled-change", {{"tier", "pro"}}).status == 200);
  auto trial_a = a.subscribe({{"trial", true}});
  const auto trial_id = trial_a.at("id").get<std::string>();
  auto suspended_a = a.subscribe({{"seats", 2}});
  const auto suspended_id = suspended_a.at("id").get<std::string>();
  REQUIRE(a.post(suspended_id, "suspend").status == 200);
  auto trial_b = b.subscribe({{"trial", true}});
  auto sub_b = b.subscribe({{"seats", 2}});

  clock_set(at("2061-04-03T00:00:00Z"));  // inside every window: a change B could make would go through
  const auto before = snapshot_of(a, id);
  const auto trial_before = snapshot_of(a, trial_id);
  const auto suspended_before = snapshot_of(a, suspended_id);

  const std::string path = "/v1/licenses/" + id;
  struct attempt {
    std::string method;
    std::string target;
    json body;
  };
  const std::vector<attempt> attempts{
      {"GET", path, nullptr},
      {"POST", path + "/seats", {{"seats", 6}}},
      {"POST", path + "/seats", {{"seats", 4}}},
      {"POST", path + "/upgrade", {{"tier", "max"}}},
      {"POST", path + "/upgrade", {{"tier", "max"}, {"seats", 2}}},
      {"POST", path + "/auto-renew", {{"on", false}}},
      {"POST", path + "/cancel", json::object()},
      {"POST", path + "/suspend", json::object()},
      {"POST", path + "/revoke", json::object()},
      {"POST", "/v1/licenses/" + suspended_id + "/reactivate", json::object()},
      {"POST", "/v1/licenses/" + suspended_id + "/reinstate", json::object()},
      {"POST", "/v1/licenses/" + suspended_id + "/cancel", json::object()},
      {"POST", "/v1/licenses/" + trial_id + "/convert", json::object()},
      {"POST", "/v1/licenses/" + trial_id + "/convert", {{"term", "annual"}, {"seats", 3}, {"tier", "pro"}}},
      {"POST", "/v1/licenses/" + trial_id + "/auto-renew", {{"on", false}}},
      {"POST", "/v1/licenses/" + trial_id + "/upgrade", {{"tier", "max"}}},
      {"POST", path + "/members", {{"email", "intruder@example.com"}}},
      {"GET", path + "/members", nullptr},
      {"DELETE", path + "/members?email=" + member, nullptr},
      {"DELETE", path + "/members", {{"email", member}}},
      {"POST", path + "/scheduled-change", {{"tier", "max"}, {"seats", 9}}},
      {"DELETE", path + "/scheduled-change", nullptr},
      {"GET", path + "/ledger", nullptr},
      {"GET", path + "/delivery", nullptr},
      {"GET", path + "/token", nullptr},
      // B converting its own trial into A's subscription.
      {"POST", "/v1/licenses/" + trial_b.at("id").get<std::string>() + "/convert", {{"into_license_id", id}}},
      // B adding an add-on to A's subscription, for its own customer.
      {"POST", "/v1/subscriptions",
       {{"customer_id", b.customer_id()}, {"product", product}, {"tier", "basic"}, {"base_license_id", id}}},
  };
  for (const auto& [method, target, body] : attempts) {
    const std::string& attempt = method + " " + target;  // named: clang cannot capture a binding
    CAPTURE(attempt);
    const auto reply = b.api.request(method, target, body.is_null() ? std::string() : body.dump());
    CHECK_ERROR(reply, 404, "license_not_found");
  }

  // A's customer, whatever else is given.
  CHECK_ERROR(b.api.post("/v1/subscriptions", {{"customer_id", a.customer_id()}, {"product", product}, {"tier", "basic"}}),
              404, "customer_not_found");
  CHECK_ERROR(b.api.post("/v1/subscriptions", {{"customer_id", a.customer_id()}, {"product", product}, {"trial", true}}),
              404, "customer_not_found");
  CHECK_ERROR(b.api.post("/v1/subscriptions",
                         {{"customer_id", a.customer_id()}, {"product", product}, {"base_license_id", id}}),
              404, "customer_not_found");
  // Nor in A's name.
  CHECK_ERROR(b.api.post("/v1/subscriptions",
                         {{"customer_id", a.customer_id()}, {"product", product}, {"partner_id", a.account.id}}),
              404, "partner_not_found");

  // B's ledger: only B's own entries, also when it names A.
  for (const auto& query : {std::string("/v1/ledger"), "/v1/ledger?partner_id=" + a.account.id,
                            "/v1/ledger?partner_id=" + a.account.id + "&from=2061-01-01T00:00:00Z&to=2062-01-01T00:00:00Z"}) {
    CAPTURE(query);
    const auto listed = b.api.get(query);
    REQUIRE(listed.status == 200);
    CHECK(listed.json.at("partner_id") == b.account.id);
    CHECK(listed.json.at("items").size() == 1);  // B's one purchase
    for (const auto& entry : listed.json.at("items")) {
      CHECK(entry.at("partner_id") == b.account.id);
      CHECK(entry.at("license_id") == sub_b.at("id"));
    }
  }
  // A's ledger lists A's entries (the check above is not vacuous).
  const auto a_ledger = a.api.get("/v1/ledger");
  REQUIRE(a_ledger.status == 200);
  CHECK(a_ledger.json.at("items").size() == 2);

  // Nothing of A changed: license, token, ledger, members, scheduled change, audit.
  CHECK(snapshot_of(a, id) == before);
  CHECK(snapshot_of(a, trial_id) == trial_before);
  CHECK(snapshot_of(a, suspended_id) == suspended_before);
  CHECK(before.at("license").at("subscription").at("scheduled_change").at("tier") == "pro");
  CHECK(a.get(id).at("subscription").at("addons").empty());
  // And A can still do everything B was refused.
  CHECK(a.post(id, "seats", {{"seats", 6}}).status == 200);
  CHECK(a.api.get("/v1/licenses/" + id + "/delivery").status == 200);
}

TEST_CASE("add-ons on a trial base: allowed and charged; they follow the trial's conversion or expiry") {
  const auto t0 = at("2063-05-01T00:00:00Z");
  clock_set(t0);
  seller w(priced_product());
  auto trial = w.subscribe({{"trial", true}});  // ends May 31
  const auto trial_id = trial.at("id").get<std::string>();
  CHECK_ERROR(w.subscribe_try({{"base_license_id", trial_id}, {"trial", true}}), 400, "bad_request");

  w.clock_at(t0 + 10 * day);
  // A trial is an active subscription, so it may carry add-ons: paid ones, charged like seats
  // added mid-term (21 days left: 1 month of basic), ending with the trial.
  auto addon = w.subscribe({{"base_license_id", trial_id}, {"seats", 2}});
  const auto addon_id = addon.at("id").get<std::string>();
  CHECK(addon.at("kind") == "paid");
  CHECK(addon.at("expires_at") == trial.at("expires_at"));
  CHECK(addon.at("subscription").at("base_license_id") == trial_id);
  CHECK(sum_amounts(w.ledger(addon_id), "add_on") == 2 * 1'000);
  CHECK(w.get(trial_id).at("subscription").at("addons") == json::array({addon_id}));
  CHECK(w.ledger(trial_id).empty());  // the trial itself stays free
  // An add-on of an add-on is refused.
  CHECK_ERROR(w.subscribe_try({{"base_license_id", addon_id}}), 422, "base_not_active");
  // The add-on is not a trial: its seats change; the trial's are locked.
  CHECK(w.post(addon_id, "seats", {{"seats", 3}}).status == 200);
  CHECK_ERROR(w.post(trial_id, "seats", {{"seats", 3}}), 422, "trial_locked");

  SUBCASE("the trial converts at its end: the add-on renews with it, charged a full term") {
    w.clock_at(t0 + 30 * day);
    const auto base = w.get(trial_id);
    const auto follower = w.get(addon_id);
    CHECK(base.at("kind") == "paid");
    CHECK(follower.at("status") == "active");
    CHECK(follower.at("expires_at") == base.at("expires_at"));
    CHECK(sum_amounts(w.ledger(addon_id), "renewal") == 3 * 1'000);
    CHECK(validate_code(w.anyone(), {{"token", follower.at("token")}}) == "valid");
  }
  SUBCASE("the trial is left to expire: the add-on expires with it") {
    REQUIRE(w.post(trial_id, "auto-renew", {{"on", false}}).status == 200);
    w.clock_at(t0 + 30 * day);
    CHECK(w.get(trial_id).at("status") == "expired");
    CHECK(w.get(addon_id).at("status") == "expired");
    CHECK(validate_code(w.anyone(), {{"token", addon.at("token")}}) == "expired");
  }
  SUBCASE("the trial is converted into another subscription: it is cancelled, its add-on with it (refunded by day)") {
    auto target = w.subscribe({{"term", "annual"}, {"seats", 2}});
    auto converted = w.post(trial_id, "convert", {{"into_license_id", target.at("id")}});
    REQUIRE(converted.status == 200);
    CHECK(converted.json.at("license").at("status") == "cancelled");
    const auto follower = w.get(addon_id);
    CHECK(follower.at("status") == "cancelled");
    CHECK(sum_amounts(w.ledger(addon_id), "cancellation") < 0);
    CHECK(validate_code(w.anyone(), {{"token", addon.at("token")}}) == "cancelled");
  }
}

// Converting a trial in place starts a paid term now; its add-ons move onto that term: the
// unused days of their own term are refunded, the new term charged (docs/subscriptions.md).
TEST_CASE("add-ons on a trial base: converting the trial in place keeps the add-on's end the base's end") {
  const auto t0 = at("2064-05-01T00:00:00Z");
  clock_set(t0);
  seller w(priced_product());
  auto trial = w.subscribe({{"trial", true}});
  const auto trial_id = trial.at("id").get<std::string>();
  w.clock_at(t0 + 10 * day);
  auto addon = w.subscribe({{"base_license_id", trial_id}, {"seats", 2}});
  const auto addon_id = addon.at("id").get<std::string>();
  w.clock_at(t0 + 12 * day);
  auto converted = w.post(trial_id, "convert", {{"term", "monthly"}});
  REQUIRE(converted.status == 200);
  CHECK(converted.json.at("kind") == "paid");
  CHECK(converted.json.at("expires_at") == t(at("2064-06-13T00:00:00Z")));
  const auto follower = w.get(addon_id);
  CHECK(follower.at("status") == "active");
  CHECK(follower.at("expires_at") == converted.json.at("expires_at"));
  const auto ledger = w.ledger(addon_id);
  CHECK(sum_amounts(ledger, "conversion") > 0);  // the new term, less the unused days refunded
  bool refunded = false;
  for (const auto& entry : ledger) refunded = refunded || (entry.at("reason") == "conversion" && entry.at("amount").get<long>() < 0);
  CHECK(refunded);
  w.clock_at(t0 + 31 * day);  // past the trial's old end, inside the new term
  CHECK(validate_code(w.anyone(), {{"token", w.get(addon_id).at("token")}}) == "valid");
}

TEST_CASE("scheduled changes on add-ons: tier and seats apply at the base's renewal; the term follows the base") {
  const auto t0 = at("2065-01-10T00:00:00Z");
  clock_set(t0);
  seller w(priced_product());
  auto base = w.subscribe({{"seats", 2}});
  const auto base_id = base.at("id").get<std::string>();
  auto addon = w.subscribe({{"base_license_id", base_id}, {"seats", 3}});
  auto kept = w.subscribe({{"base_license_id", base_id}, {"seats", 1}});
  auto no_renew = w.subscribe({{"base_license_id", base_id}, {"seats", 1}, {"auto_renew", false}});
  const auto addon_id = addon.at("id").get<std::string>();
  const auto kept_id = kept.at("id").get<std::string>();

  CHECK_ERROR(w.post(addon_id, "scheduled-change", {{"term", "annual"}}), 400, "bad_request");
  CHECK_ERROR(w.post(no_renew.at("id"), "scheduled-change", {{"seats", 2}}), 422, "auto_renew_off");
  CHECK_ERROR(w.post(addon_id, "scheduled-change", {{"tier", "platinum"}}), 404, "tier_not_found");
  auto scheduled = w.post(addon_id, "scheduled-change", {{"tier", "pro"}, {"seats", 5}});
  REQUIRE(scheduled.status == 200);
  CHECK(scheduled.json.at("subscription").at("scheduled_change").at("tier") == "pro");
  CHECK(scheduled.json.at("subscription").at("scheduled_change").at("seats") == 5);
  CHECK(scheduled.json.at("subscription").at("scheduled_change").at("effective_at") == base.at("expires_at"));
  REQUIRE(w.post(kept_id, "scheduled-change", {{"seats", 4}}).status == 200);
  REQUIRE(w.api.request("DELETE", "/v1/licenses/" + kept_id + "/scheduled-change").status == 200);
  CHECK(w.get(kept_id).at("subscription").at("scheduled_change").is_null());

  w.clock_at(at("2065-02-10T00:00:00Z"));  // the base renews
  const auto renewed_base = w.get(base_id);
  CHECK(renewed_base.at("expires_at") == t(at("2065-03-10T00:00:00Z")));
  const auto renewed = w.get(addon_id);
  CHECK(renewed.at("status") == "active");
  CHECK(renewed.at("expires_at") == renewed_base.at("expires_at"));
  CHECK(renewed.at("tier") == "pro");
  CHECK(renewed.at("seats") == 5);
  CHECK(renewed.at("subscription").at("scheduled_change").is_null());
  CHECK(sum_amounts(w.ledger(addon_id), "renewal") == 5 * 2'000);
  const auto claims = token_claims_untrusted(renewed.at("token"));
  CHECK(claims.at("tier") == "pro");
  CHECK(claims.at("seats") == 5);
  const auto unchanged = w.get(kept_id);
  CHECK(unchanged.at("tier") == "basic");
  CHECK(unchanged.at("seats") == 1);
  CHECK(sum_amounts(w.ledger(kept_id), "renewal") == 1'000);
  CHECK(w.get(no_renew.at("id")).at("status") == "expired");
}

// Finding 3 of issue 8: deleting one's own add-on once left records that made every scheduler
// pass fail, so nobody's subscriptions renewed. Whatever A does to its own records, B renews.
TEST_CASE("a partner deleting, unlinking or ending its own subscriptions never stops another partner's renewals") {
  clock_set(at("2081-01-10T00:00:00Z"));
  const auto product = priced_product();
  seller a(product);
  seller b(product);
  const auto b_id = b.subscribe({{"seats", 2}}).at("id").get<std::string>();
  int month = 1;
  // Moves the clock to B's next renewal (the 10th of the next month) and checks it was applied,
  // and that the scheduler reports no failure.
  const auto b_renews = [&](const char* after) {
    INFO("after: ", after);
    ++month;
    char now[32];
    char next[32];
    std::snprintf(now, sizeof now, "2081-%02d-10T00:00:00Z", month);
    std::snprintf(next, sizeof next, "2081-%02d-10T00:00:00Z", month + 1);
    clock_set(at(now));
    CHECK(b.get(b_id).at("expires_at") == next);
    int renewals = 0;
    for (const auto& entry : b.ledger(b_id)) renewals += entry.at("reason") == "renewal" ? 1 : 0;
    CHECK(renewals == month - 1);
    const auto health = seller::anyone().get("/v1/health");
    REQUIRE(health.status == 200);
    INFO("jobs: ", health.json.at("jobs").dump());
    CHECK(health.json.at("jobs").at("subscriptions").at("consecutive_failures") == 0);
  };
  const auto base_with_addons = [&](int count) {
    std::vector<std::string> ids{a.subscribe({{"seats", 2}}).at("id").get<std::string>()};
    for (int i = 0; i < count; ++i)
      ids.push_back(a.subscribe({{"base_license_id", ids.front()}, {"seats", 1}}).at("id").get<std::string>());
    return ids;
  };
  const auto del = [&](const std::string& id) { return a.api.del("/v1/licenses/" + id); };

  // An add-on deleted: it leaves its base's list; the base renews as well.
  auto first = base_with_addons(2);
  REQUIRE(del(first[1]).status == 200);
  CHECK(a.get(first[0]).at("subscription").at("addons") == json::array({first[2]}));
  b_renews("an add-on deleted");
  CHECK(a.get(first[0]).at("expires_at") == b.get(b_id).at("expires_at"));
  CHECK(a.get(first[2]).at("expires_at") == b.get(b_id).at("expires_at"));

  // A base deleted with an active and a suspended add-on: both end with it, and reactivating the
  // suspended one is a clear 4xx (it once answered 500).
  auto second = base_with_addons(2);
  REQUIRE(a.post(second[2], "suspend").status == 200);
  REQUIRE(del(second[0]).status == 200);
  CHECK(a.get(second[1]).at("status") == "expired");
  CHECK(a.get(second[2]).at("status") == "expired");
  CHECK_ERROR(a.post(second[2], "reactivate"), 422, "subscription_not_active");
  CHECK_ERROR(a.post(second[2], "reinstate"), 422, "subscription_not_active");
  b_renews("a base deleted");
  REQUIRE(del(second[2]).status == 200);  // an add-on whose base is gone can still be deleted
  b_renews("an add-on of a deleted base deleted");

  // Base and add-on unlinked, then deleted one after the other.
  auto third = base_with_addons(1);
  REQUIRE(a.post(third[0], "unlink").status == 200);
  REQUIRE(a.post(third[1], "unlink").status == 200);
  b_renews("a base and its add-on unlinked");
  REQUIRE(del(third[1]).status == 200);
  REQUIRE(del(third[0]).status == 200);
  b_renews("an unlinked base and add-on deleted");

  // Revoked, cancelled or suspended, then deleted; a trial base deleted; members go with it.
  auto fourth = base_with_addons(1);
  REQUIRE(a.post(fourth[0], "members", {{"email", "member." + unique_suffix() + "@example.com"}}).status == 201);
  REQUIRE(a.post(fourth[1], "revoke").status == 200);
  REQUIRE(a.post(fourth[0], "suspend").status == 200);
  REQUIRE(del(fourth[0]).status == 200);
  REQUIRE(del(fourth[1]).status == 200);
  auto fifth = base_with_addons(1);
  REQUIRE(a.post(fifth[0], "cancel").status == 200);
  REQUIRE(del(fifth[1]).status == 200);
  REQUIRE(del(fifth[0]).status == 200);
  const auto trial = a.subscribe({{"trial", true}}).at("id").get<std::string>();
  const auto on_trial = a.subscribe({{"base_license_id", trial}, {"seats", 1}}).at("id").get<std::string>();
  REQUIRE(del(trial).status == 200);
  CHECK(a.get(on_trial).at("status") == "expired");
  b_renews("revoked, suspended, cancelled and trial records deleted");
  CHECK_ERROR(a.api.get("/v1/licenses/" + fourth[0] + "/members"), 404, "license_not_found");
}

namespace {

// A request that must be refused with a 4xx in the {"error":{"code","message"}} shape.
void check_refused(https_client& client, const std::string& method, const std::string& target, const std::string& body,
                   unsigned exactly = 0) {
  const auto reply = client.request(method, target, body);
  INFO(method, " ", target.substr(0, 160), " ", body.substr(0, 160), " -> ", reply.status, ": ", reply.body.substr(0, 300));
  CHECK(reply.status >= 400);
  CHECK(reply.status < 500);
  CHECK(reply.has_error_shape());
  if (exactly != 0) CHECK(reply.status == exactly);
}

enum class kind { string, integer, boolean, strings };

struct field {
  std::string name;
  kind type;
};

// Values of the wrong JSON type for a field, refused by the body reader (400).
std::vector<json> wrong_types(kind type) {
  const json long_text = std::string(5'000, 'x');
  switch (type) {
    case kind::string: return {5, -1, 2.5, true, json::array(), json::object(), json::array({"a"}), long_text};
    case kind::integer:
      return {"5", true, 2.5, 1e300, 0, -1, 1'000'001, json(std::numeric_limits<std::uint64_t>::max()),
              json(std::numeric_limits<std::int64_t>::min()), json::array(), json::object()};
    case kind::boolean: return {"true", 1, 0, json::array(), json::object(), "yes"};
    case kind::strings: return {"a", json::array({1}), json::array({json::array()}), json::object(), true,
                                json::array({std::string(5'000, 'x')})};
  }
  return {};
}

}  // namespace

TEST_CASE("bad input on every subscription route is a 4xx in the error shape, never a 5xx") {
  const auto t0 = at("2067-03-01T00:00:00Z");
  clock_set(t0);
  seller w(priced_product());
  auto lic = w.subscribe({{"seats", 3}, {"term", "annual"}});
  auto trial = w.subscribe({{"trial", true}});
  const auto id = lic.at("id").get<std::string>();
  const auto trial_id = trial.at("id").get<std::string>();
  const auto path = "/v1/licenses/" + id;
  // Valid strings too long to be keys (LMDB keys stop at 511 bytes), and ids that do not exist.
  const std::string oversize(600, 'k');
  const std::string oversize_email = std::string(60, 'a') + "@" + std::string(60, 'b') + "." + std::string(60, 'c') + "." +
                                     std::string(60, 'd') + "." + std::string(60, 'e') + ".com";  // 312 characters

  struct route {
    std::string method;
    std::string target;
    json valid;  ///< a body the route accepts (the probes change one field of it)
    std::vector<field> fields;
  };
  const std::vector<route> routes{
      {"POST", "/v1/subscriptions",
       {{"customer_id", w.customer_id()}, {"product", w.product}, {"tier", "basic"}},
       {{"customer_id", kind::string}, {"product", kind::string}, {"tier", kind::string}, {"term", kind::string},
        {"seats", kind::integer}, {"auto_renew", kind::boolean}, {"trial", kind::boolean}, {"trial_days", kind::integer},
        {"base_license_id", kind::string}, {"features", kind::strings}, {"partner_id", kind::string}}},
      {"POST", path + "/seats", {{"seats", 4}}, {{"seats", kind::integer}}},
      {"POST", path + "/upgrade", {{"tier", "pro"}}, {{"tier", kind::string}, {"seats", kind::integer}}},
      {"POST", path + "/auto-renew", {{"on", true}}, {{"on", kind::boolean}}},
      {"POST", path + "/members", {{"email", "m@example.com"}}, {{"email", kind::string}}},
      {"DELETE", path + "/members", {{"email", "m@example.com"}}, {{"email", kind::string}}},
      {"POST", path + "/scheduled-change", {{"tier", "pro"}},
       {{"tier", kind::string}, {"seats", kind::integer}, {"term", kind::string}}},
      {"POST", "/v1/licenses/" + trial_id + "/convert", json::object(),
       {{"into_license_id", kind::string}, {"term", kind::string}, {"seats", kind::integer}, {"tier", kind::string}}},
      {"DELETE", path + "/scheduled-change", json::object(), {}},
      {"POST", path + "/cancel", json::object(), {}},
      {"POST", path + "/suspend", json::object(), {}},
      {"POST", path + "/reactivate", json::object(), {}},
      {"POST", path + "/reinstate", json::object(), {}},
  };

  for (const auto& r : routes) {
    CAPTURE(r.target);
    // Bodies that are not a JSON object, or not JSON.
    for (const std::string& body : std::vector<std::string>{"[]", "[{}]", "\"seats\"", "5", "true", "{", "{\"seats\":}", "{\"a\":1,}", "nul",
                                   "\xff\xfe{}"})
      check_refused(w.api, r.method, r.target, body, 400);
    check_refused(w.api, r.method, r.target, std::string(100'000, ' ') + "{}", 413);  // payload_too_large
    // Unknown fields, also next to valid ones, and a field name differing only in case.
    for (const auto& extra : {json{{"unknown", 1}}, json{{"", 1}}, json{{"Seats", 4}}, json{{"license_id", id}}}) {
      auto body = r.valid;
      body.update(extra);
      check_refused(w.api, r.method, r.target, body.dump(), 400);
    }
    // Every field with a value of the wrong type or out of range.
    for (const auto& f : r.fields) {
      CAPTURE(f.name);
      for (const auto& value : wrong_types(f.type)) {
        auto body = r.valid;
        body[f.name] = value;
        check_refused(w.api, r.method, r.target, body.dump(), 400);
      }
    }
  }

  // Missing required fields (a null counts as missing).
  for (const auto& [target, body] : std::vector<std::pair<std::string, json>>{
           {"/v1/subscriptions", json::object()},
           {"/v1/subscriptions", {{"product", w.product}}},
           {"/v1/subscriptions", {{"customer_id", w.customer_id()}}},
           {"/v1/subscriptions", {{"customer_id", nullptr}, {"product", w.product}}},
           {path + "/seats", json::object()},
           {path + "/seats", {{"seats", nullptr}}},
           {path + "/upgrade", json::object()},
           {path + "/upgrade", {{"seats", 2}}},
           {path + "/auto-renew", json::object()},
           {path + "/auto-renew", {{"on", nullptr}}},
           {path + "/members", json::object()},
           {path + "/scheduled-change", json::object()},
           {path + "/scheduled-change", {{"tier", nullptr}}},
       }) {
    const std::string& path_tried = target;  // named: clang cannot capture a binding
    CAPTURE(path_tried);
    check_refused(w.api, "POST", target, body.dump(), 400);
  }
  check_refused(w.api, "DELETE", path + "/members", "", 400);
  check_refused(w.api, "DELETE", path + "/members", "{}", 400);

  // Well-typed values the rules refuse: each its own code, never a 5xx.
  const std::vector<std::pair<std::string, json>> refused{
      {"/v1/subscriptions", {{"customer_id", w.customer_id()}, {"product", w.product}, {"term", "weekly"}}},
      {"/v1/subscriptions", {{"customer_id", w.customer_id()}, {"product", w.product}, {"term", ""}}},
      {"/v1/subscriptions", {{"customer_id", w.customer_id()}, {"product", w.product}, {"tier", "platinum"}}},
      {"/v1/subscriptions", {{"customer_id", w.customer_id()}, {"product", w.product}, {"tier", ""}}},
      {"/v1/subscriptions", {{"customer_id", w.customer_id()}, {"product", "no-such-product"}}},
      {"/v1/subscriptions", {{"customer_id", w.customer_id()}, {"product", ""}}},
      {"/v1/subscriptions", {{"customer_id", "cus_nope"}, {"product", w.product}}},
      {"/v1/subscriptions", {{"customer_id", ""}, {"product", w.product}}},
      {"/v1/subscriptions", {{"customer_id", oversize}, {"product", w.product}}},
      {"/v1/subscriptions", {{"customer_id", w.customer_id()}, {"product", oversize}}},
      {"/v1/subscriptions", {{"customer_id", w.customer_id()}, {"product", w.product}, {"tier", oversize}}},
      {"/v1/subscriptions", {{"customer_id", w.customer_id()}, {"product", w.product}, {"base_license_id", oversize}}},
      {"/v1/subscriptions", {{"customer_id", w.customer_id()}, {"product", w.product}, {"base_license_id", "lic_nope"}}},
      {"/v1/subscriptions", {{"customer_id", w.customer_id()}, {"product", w.product}, {"trial_days", 10}}},
      {"/v1/subscriptions",
       {{"customer_id", w.customer_id()}, {"product", w.product}, {"trial", true}, {"trial_days", 366}}},
      {"/v1/subscriptions",
       {{"customer_id", w.customer_id()}, {"product", w.product}, {"trial", true}, {"base_license_id", id}}},
      {"/v1/subscriptions", {{"customer_id", w.customer_id()}, {"product", w.product}, {"partner_id", oversize}}},
      {path + "/seats", {{"seats", 3}}},  // unchanged: conflict
      {path + "/upgrade", {{"tier", "basic"}}},
      {path + "/upgrade", {{"tier", "platinum"}}},
      {path + "/upgrade", {{"tier", oversize}}},
      {path + "/upgrade", {{"tier", ""}}},
      {path + "/members", {{"email", "not-an-email"}}},
      {path + "/members", {{"email", ""}}},
      {path + "/members", {{"email", std::string(600, 'a') + "@example.com"}}},
      {path + "/members", {{"email", oversize_email}}},
      {path + "/scheduled-change", {{"tier", "platinum"}}},
      {path + "/scheduled-change", {{"tier", oversize}}},
      {path + "/scheduled-change", {{"term", "weekly"}}},
      {"/v1/licenses/" + trial_id + "/convert", {{"term", "weekly"}}},
      {"/v1/licenses/" + trial_id + "/convert", {{"tier", "platinum"}}},
      {"/v1/licenses/" + trial_id + "/convert", {{"into_license_id", "lic_nope"}}},
      {"/v1/licenses/" + trial_id + "/convert", {{"into_license_id", oversize}}},
      {"/v1/licenses/" + trial_id + "/convert", {{"into_license_id", ""}}},
      {"/v1/licenses/" + trial_id + "/convert", {{"into_license_id", id}, {"term", "annual"}}},
      {"/v1/licenses/" + trial_id + "/convert", {{"into_license_id", trial_id}}},
      {path + "/convert", json::object()},  // not a trial
      {"/v1/licenses/" + trial_id + "/seats", {{"seats", 2}}},  // trial_locked
  };
  for (const auto& [target, body] : refused) {
    const std::string& path_tried = target;  // named: clang cannot capture a binding
    const auto body_start = body.dump().substr(0, 200);
    CAPTURE(path_tried);
    CAPTURE(body_start);
    check_refused(w.api, "POST", target, body.dump());
  }
  check_refused(w.api, "DELETE", path + "/members?email=not-an-email", "");
  check_refused(w.api, "DELETE", path + "/members?email=" + std::string(600, 'a') + "%40example.com", "");
  check_refused(w.api, "DELETE", path + "/members?email=nobody%40example.com", "", 404);
  check_refused(w.api, "DELETE", path + "/scheduled-change", "", 404);

  // Ids in the path that do not exist, are empty-ish, odd or too long for a key.
  for (const std::string& bad_id : std::vector<std::string>{"lic_nope", std::string("%00"), std::string("..%2F..%2Fpartners"),
                                   std::string("lic_%ff%fe"), oversize, std::string(5'000, 'k')}) {
    CAPTURE(bad_id.substr(0, 40));
    const auto bad = "/v1/licenses/" + bad_id;
    for (const auto& [method, suffix, body] : std::vector<std::tuple<std::string, std::string, json>>{
             {"POST", "/seats", {{"seats", 4}}}, {"POST", "/upgrade", {{"tier", "pro"}}}, {"POST", "/auto-renew", {{"on", true}}},
             {"POST", "/cancel", json::object()}, {"POST", "/reactivate", json::object()},
             {"POST", "/reinstate", json::object()}, {"POST", "/suspend", json::object()},
             {"POST", "/convert", json::object()}, {"POST", "/members", {{"email", "m@example.com"}}},
             {"GET", "/members", nullptr}, {"DELETE", "/members?email=m%40example.com", nullptr},
             {"POST", "/scheduled-change", {{"tier", "pro"}}}, {"DELETE", "/scheduled-change", nullptr},
             {"GET", "/ledger", nullptr}, {"GET", "/delivery", nullptr}, {"GET", "", nullptr}}) {
      const std::string& path_tried = bad + suffix;  // named: clang cannot capture a binding
      CAPTURE(path_tried);
      check_refused(w.api, method, bad + suffix, body.is_null() ? std::string() : body.dump());
    }
  }

  // Query strings of the ledgers.
  for (const std::string& query : std::vector<std::string>{
           "/v1/ledger?from=yesterday", "/v1/ledger?to=2067-13-40T00:00:00Z", "/v1/ledger?from=", "/v1/ledger?limit=abc",
        "/v1/ledger?limit=-1", "/v1/ledger?limit=99999999999999999999999", "/v1/ledger?from=%ff",
        path + "/ledger?limit=abc", path + "/ledger?limit=-5", path + "/ledger?limit=1e9"}) {
    const auto reply = w.api.get(query);
    INFO(query, " -> ", reply.status, ": ", reply.body.substr(0, 300));
    CHECK(reply.status < 500);
    if (reply.status >= 400) CHECK(reply.has_error_shape());
  }
  const auto operator_ledger = operator_client().get("/v1/ledger");
  CHECK_ERROR(operator_ledger, 400, "bad_request");  // operators name the partner

  // After all that, the subscription is as it was, and the server still serves.
  const auto after = w.get(id);
  CHECK(after.at("status") == "active");
  CHECK(after.at("seats") == 3);
  CHECK(after.at("tier") == "basic");
  CHECK(w.get(trial_id).at("kind") == "trial");
  CHECK(sum_amounts(w.ledger(id)) == 3 * 12'000);
}
