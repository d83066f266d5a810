// Subscriptions, black box: licensord runs with --test-clock and every test moves its clock with
// POST /v1/test/clock, which also runs the scheduler before answering. Each case works at its
// own dates (years apart) with its own partner, so cases do not see each other's licenses.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "subscription_test.hpp"

using namespace licensor::testing;
using json = nlohmann::json;

namespace {

// One partner with a priced product and a customer, at a clock the case chooses.
struct world {
  explicit world(licensord_process& process, std::int64_t start, int discount = 0)
      : op(process.operator_client()), anyone(process.client()) {
    clock(start);
    partner = partner_create(op, partner_spec{"gold", {}, true, "subscriptions"});
    if (discount != 0) expect_status(op.patch("/v1/partners/" + partner.id, {{"discount_percent", discount}}), 200, "discount");
    as_partner = std::make_unique<https_client>(process.port(), partner.api_key);
    product = "app-" + unique_suffix();
    const json price_basic{{"currency", "EUR"}, {"seat_month", 1'000}, {"seat_year", 12'000}};
    const json price_pro{{"currency", "EUR"}, {"seat_month", 2'000}, {"seat_year", 24'000}};
    const json price_max{{"currency", "EUR"}, {"seat_month", 3'000}, {"seat_year", 36'000}};
    expect_status(op.post("/v1/products", {{"id", product}, {"tiers", {"basic", "pro", "max"}},
                                            {"prices", {{"basic", price_basic}, {"pro", price_pro}, {"max", price_max}}}}),
                  201, "product");
    customer = customer_fresh(*as_partner, "sub");
  }

  void clock(std::int64_t now) {
    auto set = op.post("/v1/test/clock", {{"now", t(now)}});
    expect_status(set, 200, "test clock");
  }
  response subscribe_try(json extra) {
    json body{{"customer_id", customer.at("id")}, {"product", product}, {"tier", "basic"}, {"term", "monthly"}};
    body.update(extra);
    return p().post("/v1/subscriptions", body);
  }
  json subscribe(json extra = json::object()) {
    auto created = subscribe_try(std::move(extra));
    expect_status(created, 201, "subscribe");
    return created.json;
  }
  json get(const std::string& id) {
    auto got = p().get("/v1/licenses/" + id);
    expect_status(got, 200, "get license");
    return got.json;
  }
  response post(const std::string& id, const std::string& action, json body = json::object()) {
    return p().post("/v1/licenses/" + id + "/" + action, body);
  }
  json ledger(const std::string& id) {
    auto got = p().get("/v1/licenses/" + id + "/ledger");
    expect_status(got, 200, "ledger");
    return got.json.at("items");
  }
  std::string validate(const json& license) { return validate_code(anyone, {{"token", license.at("token")}}); }
  https_client& p() { return *as_partner; }

  https_client op;
  https_client anyone;
  partner_account partner;
  std::unique_ptr<https_client> as_partner;
  std::string product;
  json customer;
};

}  // namespace

TEST_CASE("seat decreases: day 7 after purchase is allowed, day 8 is seat_decrease_window_closed") {
  const auto t0 = at("2031-01-10T10:00:00Z");
  world w(server(), t0);
  auto lic = w.subscribe({{"seats", 10}, {"term", "annual"}});
  const auto id = lic.at("id").get<std::string>();
  auto& seat_info = lic.at("subscription").at("seat_decrease");
  CHECK(seat_info.at("seats_reducible_now") == 9);
  CHECK(seat_info.at("until") == t(t0 + 8 * day));

  w.clock(t0 + 7 * day + 3600);  // day 7
  auto decreased = w.post(id, "seats", {{"seats", 8}});
  REQUIRE(decreased.status == 200);
  CHECK(decreased.json.at("seats") == 8);
  CHECK(token_claims_untrusted(decreased.json.at("token")).at("seats") == 8);
  CHECK(sum_amounts(w.ledger(id), "seat_decrease") < 0);  // refunded, prorated by day

  w.clock(t0 + 8 * day);  // day 8
  CHECK(w.get(id).at("subscription").at("seat_decrease").at("seats_reducible_now") == 0);
  CHECK_ERROR(w.post(id, "seats", {{"seats", 7}}), 422, "seat_decrease_window_closed");

  // A top-up opens its own window for the added seats only.
  REQUIRE(w.post(id, "seats", {{"seats", 12}}).status == 200);
  const auto view = w.get(id);
  CHECK(view.at("subscription").at("seat_decrease").at("seats_reducible_now") == 4);
  CHECK(view.at("subscription").at("seat_decrease").at("until") == t(t0 + 16 * day));
  CHECK(w.post(id, "seats", {{"seats", 9}}).status == 200);
  CHECK_ERROR(w.post(id, "seats", {{"seats", 7}}), 422, "seat_decrease_window_closed");
}

TEST_CASE("cancellation: day 7 of the term refunds prorated by day, day 8 is cancel_window_closed") {
  const auto t0 = at("2033-03-01T00:00:00Z");
  world w(server(), t0);
  auto late = w.subscribe({{"seats", 3}});
  auto early = w.subscribe({{"seats", 3}});
  // Monthly basic, 3 seats: 30.00 for March (31 days).
  CHECK(sum_amounts(w.ledger(early.at("id"))) == 3'000);

  w.clock(t0 + 7 * day);
  // A preview says the refund first and keeps nothing: the same refund is made after it.
  auto previewed = w.post(early.at("id"), "cancel?preview=true");
  REQUIRE(previewed.status == 200);
  CHECK(previewed.json.at("preview") == true);
  REQUIRE(previewed.json.at("charges").size() == 1);
  CHECK(previewed.json.at("charges")[0].at("reason") == "cancellation");
  CHECK(previewed.json.at("totals").at("EUR") == -2'322);
  CHECK(previewed.json.at("result").at("status") == "cancelled");
  CHECK_FALSE(previewed.json.at("result").contains("token"));
  CHECK(w.get(early.at("id")).at("status") == "active");
  CHECK(w.ledger(early.at("id")).size() == 1);
  CHECK_ERROR(w.post(early.at("id"), "cancel?preview=maybe"), 400, "bad_request");
  auto cancelled = w.post(early.at("id"), "cancel");
  REQUIRE(cancelled.status == 200);
  CHECK(cancelled.json.at("status") == "cancelled");
  // 24 unused days of 31: 3000 * 24 / 31 = 2322.
  CHECK(sum_amounts(w.ledger(early.at("id")), "cancellation") == -2'322);
  CHECK(w.validate(cancelled.json) == "cancelled");
  CHECK(w.validate(early) == "cancelled");  // the earlier token too, at once
  CHECK_ERROR(w.post(early.at("id"), "reactivate"), 422, "subscription_not_active");
  CHECK_ERROR(w.post(early.at("id"), "cancel"), 422, "subscription_not_active");  // final

  w.clock(t0 + 8 * day);
  CHECK_ERROR(w.post(late.at("id"), "cancel?preview=true"), 422, "cancel_window_closed");  // refused as the change would be
  CHECK_ERROR(w.post(late.at("id"), "cancel"), 422, "cancel_window_closed");

  // A renewal opens a new window: day 7 after it.
  w.clock(at("2033-04-01T00:00:00Z") + 7 * day);
  CHECK(w.get(late.at("id")).at("subscription").at("cancel").at("allowed_now") == true);
  CHECK(w.post(late.at("id"), "cancel").status == 200);
}

TEST_CASE("seats added with 50 days left are charged 2 months, less the partner's discount") {
  const auto t0 = at("2035-01-01T00:00:00Z");
  world w(server(), t0, 10);
  auto lic = w.subscribe({{"term", "annual"}, {"tier", "pro"}, {"seats", 2}});
  const auto id = lic.at("id").get<std::string>();
  CHECK(sum_amounts(w.ledger(id), "purchase") == 2 * 21'600);  // 240.00 less 10%
  const auto end = at(lic.at("expires_at").get<std::string>());
  CHECK(end == at("2036-01-01T00:00:00Z"));

  w.clock(end - 50 * day);
  // The price before confirming: a preview charges what the change then charges, and keeps nothing.
  auto quoted = w.post(id, "seats?preview=true", {{"seats", 5}});
  REQUIRE(quoted.status == 200);
  CHECK(quoted.json.at("totals").at("EUR") == 10'800);
  CHECK(quoted.json.at("result").at("seats") == 5);
  CHECK(w.get(id).at("seats") == 2);
  REQUIRE(w.post(id, "seats", {{"seats", 5}}).status == 200);
  const auto ledger = w.ledger(id);
  // 3 seats x 2 months x (240.00 / 12) = 120.00, less 10% = 108.00.
  CHECK(sum_amounts(ledger, "seats_added") == 10'800);
  CHECK(ledger.back().at("currency") == "EUR");
  CHECK(ledger.back().at("discount_percent") == 10);

  // The partner's ledger for the period lists it; outside the period it does not.
  auto period = w.p().get("/v1/ledger?from=" + t(end - 51 * day) + "&to=" + t(end - 49 * day));
  REQUIRE(period.status == 200);
  REQUIRE(period.json.at("items").size() == 1);
  CHECK(period.json.at("items")[0].at("amount") == 10'800);
  auto all = w.op.get("/v1/ledger?partner_id=" + w.partner.id);
  CHECK(all.json.at("items").size() == 2);

  // The same period as CSV: the header and the one entry, its amount a number.
  auto exported = w.p().get("/v1/exports/ledger?from=" + t(end - 51 * day) + "&to=" + t(end - 49 * day));
  REQUIRE(exported.status == 200);
  CHECK(exported.header("content-type") == "text/csv; charset=utf-8");
  const auto lines = exported.body.substr(0, exported.body.find("\r\n"));
  CHECK(lines.rfind("seq,at,license_id,type,reason,amount_minor,currency", 0) == 0);
  CHECK(exported.body.find("," + id + ",charge,seats_added,10800,EUR,pro,") != std::string::npos);
  CHECK(std::count(exported.body.begin(), exported.body.end(), '\n') == 2);
  CHECK_ERROR(w.p().get("/v1/exports/ledger?from=yesterday"), 400, "bad_request");
}

TEST_CASE("trials: 30 days and 25 seats, seat and status changes locked, conversion now or at the end") {
  const auto t0 = at("2037-05-01T00:00:00Z");
  world w(server(), t0);
  auto trial = w.subscribe({{"trial", true}});
  const auto id = trial.at("id").get<std::string>();
  CHECK(trial.at("kind") == "trial");
  CHECK(trial.at("seats") == 25);
  CHECK(trial.at("expires_at") == t(t0 + 30 * day));
  CHECK(trial.at("subscription").at("auto_renew") == true);
  CHECK_ERROR(w.post(id, "seats", {{"seats", 20}}), 422, "trial_locked");
  CHECK_ERROR(w.post(id, "seats", {{"seats", 30}}), 422, "trial_locked");
  CHECK_ERROR(w.post(id, "suspend"), 422, "trial_locked");
  CHECK_ERROR(w.post(id, "cancel"), 422, "trial_locked");
  CHECK(w.ledger(id).empty());

  SUBCASE("at the end of the trial, with auto_renew on, it converts to the paid tier") {
    w.clock(t0 + 30 * day);
    const auto converted = w.get(id);
    CHECK(converted.at("kind") == "paid");
    CHECK(converted.at("status") == "active");
    CHECK(converted.at("expires_at") == t(at("2037-05-31T00:00:00Z") + 30 * day));  // May 31 + 1 month = Jun 30
    CHECK(sum_amounts(w.ledger(id), "conversion") == 25 * 1'000);
    CHECK(w.validate(converted) == "valid");
    CHECK(token_claims_untrusted(converted.at("token")).at("kind") == "paid");
  }
  SUBCASE("at the end of the trial, with auto_renew off, it expires") {
    REQUIRE(w.post(id, "auto-renew", {{"on", false}}).status == 200);
    w.clock(t0 + 30 * day);
    CHECK(w.get(id).at("status") == "expired");
    CHECK(w.validate(trial) == "expired");
    CHECK(w.ledger(id).empty());
  }
  SUBCASE("converted at any time to a new paid subscription, keeping its 25 seats") {
    w.clock(t0 + 3 * day);
    // Mid-term, the trial's 25 seats are kept: only a scheduled change at its end lowers them.
    CHECK_ERROR(w.post(id, "convert", {{"term", "annual"}, {"seats", 5}, {"tier", "pro"}}), 422, "conversion_not_allowed");
    CHECK_ERROR(w.post(id, "convert", {{"seats", 24}}), 422, "conversion_not_allowed");
    auto converted = w.post(id, "convert", {{"term", "annual"}, {"seats", 25}, {"tier", "pro"}});
    REQUIRE(converted.status == 200);
    CHECK(converted.json.at("kind") == "paid");
    CHECK(converted.json.at("seats") == 25);
    CHECK(converted.json.at("expires_at") == t(at("2038-05-04T00:00:00Z")));
    CHECK(sum_amounts(w.ledger(id), "conversion") == 25 * 24'000);
    CHECK(w.post(id, "seats", {{"seats", 26}}).status == 200);  // no longer locked
  }
  SUBCASE("a change scheduled for the trial's end may lower its seats") {
    REQUIRE(w.post(id, "scheduled-change", {{"seats", 5}}).status == 200);
    w.clock(t0 + 30 * day);
    const auto converted = w.get(id);
    CHECK(converted.at("kind") == "paid");
    CHECK(converted.at("seats") == 5);
    CHECK(sum_amounts(w.ledger(id), "conversion") == 5 * 1'000);
  }
  SUBCASE("converted into an existing subscription that ends on or after the trial") {
    auto long_trial = w.subscribe({{"trial", true}, {"trial_days", 40}});  // ends Jun 10
    const auto long_id = long_trial.at("id").get<std::string>();
    auto short_one = w.subscribe({{"term", "monthly"}, {"seats", 2}});    // ends Jun 1, before that trial
    auto long_one = w.subscribe({{"term", "annual"}, {"seats", 2}});      // ends 2038
    CHECK(w.post(id, "convert", {{"into_license_id", short_one.at("id")}}).status == 200);  // Jun 1 >= May 31
    REQUIRE(w.post(long_id, "members", {{"email", "trial.user@example.com"}}).status == 201);
    CHECK_ERROR(w.post(long_id, "convert", {{"into_license_id", short_one.at("id")}}), 422, "conversion_not_allowed");
    auto converted = w.post(long_id, "convert", {{"into_license_id", long_one.at("id")}});
    REQUIRE(converted.status == 200);
    CHECK(converted.json.at("license").at("status") == "cancelled");
    CHECK(converted.json.at("license").at("subscription").at("converted_into") == long_one.at("id"));
    CHECK(converted.json.at("into").at("subscription").at("members") == 1);
    CHECK(w.validate(long_trial) == "cancelled");
    CHECK(w.validate(trial) == "cancelled");
  }
}

TEST_CASE("upgrades: only upward; full keeps the id, partial moves N seats to a coterminous license") {
  const auto t0 = at("2039-02-01T00:00:00Z");
  world w(server(), t0);
  auto lic = w.subscribe({{"term", "annual"}, {"tier", "pro"}, {"seats", 10}});
  const auto id = lic.at("id").get<std::string>();
  CHECK_ERROR(w.post(id, "upgrade", {{"tier", "basic"}}), 422, "downgrade_not_allowed");
  CHECK_ERROR(w.post(id, "upgrade", {{"tier", "pro"}}), 422, "downgrade_not_allowed");

  w.clock(t0 + 100 * day);
  auto partial = w.post(id, "upgrade", {{"tier", "max"}, {"seats", 4}});
  REQUIRE(partial.status == 201);
  const auto& original = partial.json.at("license");
  const auto& moved = partial.json.at("new_license");
  CHECK(original.at("id") == id);
  CHECK(original.at("tier") == "pro");
  CHECK(original.at("seats") == 6);
  CHECK(moved.at("id") != id);
  CHECK(moved.at("tier") == "max");
  CHECK(moved.at("seats") == 4);
  CHECK(moved.at("expires_at") == original.at("expires_at"));  // coterminous
  CHECK(moved.at("expires_at") == lic.at("expires_at"));
  CHECK(token_claims_untrusted(moved.at("token")).at("exp") == lic.at("expires_at"));
  CHECK(token_claims_untrusted(original.at("token")).at("seats") == 6);
  // 4 seats x (360 - 240) / 12 x 9 remaining months (Feb 1 + 100 days = May 12 -> Feb 1: 9 months rounded up).
  CHECK(sum_amounts(w.ledger(moved.at("id")), "upgrade") == 4 * 9 * 1'000);

  auto full = w.post(id, "upgrade", {{"tier", "max"}});
  REQUIRE(full.status == 200);
  CHECK(full.json.at("id") == id);
  CHECK(full.json.at("tier") == "max");
  CHECK(full.json.at("seats") == 6);
  CHECK(token_claims_untrusted(full.json.at("token")).at("tier") == "max");

  REQUIRE(w.post(id, "suspend").status == 200);
  CHECK_ERROR(w.post(moved.at("id"), "upgrade", {{"tier", "basic"}}), 422, "downgrade_not_allowed");
  auto other = w.subscribe({{"seats", 2}});
  REQUIRE(w.post(other.at("id"), "suspend").status == 200);
  CHECK_ERROR(w.post(other.at("id"), "upgrade", {{"tier", "pro"}}), 422, "subscription_not_active");
}

TEST_CASE("add-ons need an active base, follow its end date, and are suspended with it") {
  const auto t0 = at("2041-06-01T00:00:00Z");
  world w(server(), t0);
  auto base = w.subscribe({{"term", "monthly"}, {"seats", 3}});
  const auto base_id = base.at("id").get<std::string>();
  w.clock(t0 + 10 * day);
  auto addon = w.subscribe({{"base_license_id", base_id}, {"tier", "basic"}, {"seats", 3}});
  const auto addon_id = addon.at("id").get<std::string>();
  CHECK(addon.at("expires_at") == base.at("expires_at"));
  CHECK(addon.at("subscription").at("base_license_id") == base_id);
  CHECK(w.get(base_id).at("subscription").at("addons").size() == 1);

  REQUIRE(w.post(base_id, "suspend").status == 200);
  CHECK(w.validate(base) == "suspended");
  CHECK(w.get(addon_id).at("status") == "suspended");
  CHECK(w.validate(addon) == "suspended");
  CHECK(w.get(base_id).at("subscription").at("auto_renew") == false);  // suspension turns it off
  CHECK_ERROR(w.subscribe_try({{"base_license_id", base_id}}), 422, "base_not_active");

  REQUIRE(w.post(base_id, "reactivate").status == 200);
  CHECK(w.get(addon_id).at("status") == "active");
  CHECK(w.validate(addon) == "valid");

  // The base renews (auto_renew back on): the add-on's end follows.
  REQUIRE(w.post(base_id, "auto-renew", {{"on", true}}).status == 200);
  w.clock(at("2041-07-01T00:00:00Z"));
  const auto renewed_base = w.get(base_id);
  const auto renewed_addon = w.get(addon_id);
  CHECK(renewed_base.at("expires_at") == t(at("2041-08-01T00:00:00Z")));
  CHECK(renewed_addon.at("expires_at") == renewed_base.at("expires_at"));
  CHECK(sum_amounts(w.ledger(addon_id), "renewal") == 3 * 1'000);

  // A suspended license not reactivated by its end expires, its add-on with it.
  REQUIRE(w.post(base_id, "suspend").status == 200);
  w.clock(at("2041-08-01T00:00:00Z"));
  CHECK(w.get(base_id).at("status") == "expired");
  CHECK(w.get(addon_id).at("status") == "expired");
  CHECK_ERROR(w.post(base_id, "reactivate"), 422, "subscription_not_active");

  // Revoking a base ends its add-ons.
  auto revoked_base = w.subscribe({{"term", "monthly"}, {"seats", 1}});
  auto orphan = w.subscribe({{"base_license_id", revoked_base.at("id")}, {"seats", 1}});
  REQUIRE(w.post(revoked_base.at("id").get<std::string>(), "revoke").status == 200);
  CHECK(w.get(orphan.at("id").get<std::string>()).at("status") == "expired");
  CHECK(w.validate(orphan) == "expired");
}

TEST_CASE("a scheduled change applies at renewal; a mid-term change removes it") {
  const auto t0 = at("2043-01-15T00:00:00Z");
  world w(server(), t0);
  auto applied = w.subscribe({{"seats", 4}});
  auto removed = w.subscribe({{"seats", 4}});
  auto no_renew = w.subscribe({{"seats", 4}, {"auto_renew", false}});
  const auto applied_id = applied.at("id").get<std::string>();
  const auto removed_id = removed.at("id").get<std::string>();
  CHECK_ERROR(w.post(no_renew.at("id"), "scheduled-change", {{"tier", "pro"}}), 422, "auto_renew_off");

  auto scheduled = w.post(applied_id, "scheduled-change", {{"tier", "pro"}, {"seats", 6}, {"term", "annual"}});
  REQUIRE(scheduled.status == 200);
  CHECK(scheduled.json.at("subscription").at("scheduled_change").at("tier") == "pro");
  REQUIRE(w.post(removed_id, "scheduled-change", {{"tier", "pro"}}).status == 200);

  w.clock(t0 + 5 * day);
  REQUIRE(w.post(removed_id, "seats", {{"seats", 5}}).status == 200);  // a mid-term seat change
  CHECK(w.get(removed_id).at("subscription").at("scheduled_change").is_null());
  CHECK_ERROR(w.p().request("DELETE", "/v1/licenses/" + removed_id + "/scheduled-change"), 404, "no_scheduled_change");

  w.clock(at("2043-02-15T00:00:00Z"));
  const auto renewed = w.get(applied_id);
  CHECK(renewed.at("tier") == "pro");
  CHECK(renewed.at("seats") == 6);
  CHECK(renewed.at("subscription").at("term") == "annual");
  CHECK(renewed.at("expires_at") == t(at("2044-02-15T00:00:00Z")));
  CHECK(renewed.at("subscription").at("scheduled_change").is_null());
  CHECK(sum_amounts(w.ledger(applied_id), "renewal") == 6 * 24'000);
  const auto claims = token_claims_untrusted(renewed.at("token"));
  CHECK(claims.at("tier") == "pro");
  CHECK(claims.at("seats") == 6);
  const auto kept = w.get(removed_id);
  CHECK(kept.at("tier") == "basic");
  CHECK(kept.at("seats") == 5);
  CHECK(w.get(no_renew.at("id")).at("status") == "expired");
}

TEST_CASE("members: seats assigned to emails, no duplicates, the customer holds one; members activate") {
  const auto t0 = at("2045-03-01T00:00:00Z");
  world w(server(), t0);
  auto lic = w.subscribe({{"seats", 3}, {"term", "annual"}});
  const auto id = lic.at("id").get<std::string>();
  CHECK(w.post(id, "members", {{"email", "Ann@Example.com"}}).status == 201);
  CHECK_ERROR(w.post(id, "members", {{"email", "ann@example.com"}}), 409, "member_exists");
  CHECK_ERROR(w.post(id, "members", {{"email", lic.at("email")}}), 409, "member_exists");
  CHECK(w.post(id, "members", {{"email", "bob@example.com"}}).status == 201);
  CHECK_ERROR(w.post(id, "members", {{"email", "cy@example.com"}}), 422, "seats_exhausted");
  CHECK_ERROR(w.post(id, "seats", {{"seats", 2}}), 422, "seats_in_use");

  auto activated = w.anyone.post("/v1/activate", {{"activation_key", lic.at("activation_key")}, {"email", "ann@example.com"}});
  REQUIRE(activated.status == 200);
  const auto member_token = activated.json.at("token").get<std::string>();
  CHECK(token_claims_untrusted(member_token).at("email") == "ann@example.com");
  CHECK(token_claims_untrusted(member_token).at("sub") == id);
  CHECK(validate_code(w.anyone, {{"token", member_token}}) == "valid");
  CHECK(w.anyone.post("/v1/activate", {{"activation_key", lic.at("activation_key")}, {"email", "cy@example.com"}})
            .error_code() == "activation_failed");
  // The customer's own activation still works and keeps its email.
  auto own = w.anyone.post("/v1/activate", {{"activation_key", lic.at("activation_key")}, {"email", lic.at("email")}});
  REQUIRE(own.status == 200);
  CHECK(token_claims_untrusted(own.json.at("token")).at("email") == lic.at("email"));

  auto gone = w.p().request("DELETE", "/v1/licenses/" + id + "/members", json{{"email", "ann@example.com"}}.dump());
  REQUIRE(gone.status == 200);
  CHECK(gone.json.at("expires_at") == lic.at("expires_at"));  // the end date does not move
  CHECK(validate_code(w.anyone, {{"token", member_token}}) == "not_found");
  CHECK(w.post(id, "members", {{"email", "cy@example.com"}}).status == 201);  // the seat is free again
  CHECK_ERROR(w.p().request("DELETE", "/v1/licenses/" + id + "/members?email=nobody%40example.com"), 404, "member_not_found");
  CHECK(w.get(id).at("expires_at") == lic.at("expires_at"));
}

TEST_CASE("renewal and expiry by the scheduler, also after the server was down over the renewal date") {
  licensord_process own({"--test-clock"});
  const auto t0 = at("2047-01-20T00:00:00Z");
  std::string renewing, expiring, renewing_token;
  {
    world w(own, t0);
    renewing = w.subscribe({{"seats", 2}}).at("id");
    expiring = w.subscribe({{"seats", 2}, {"auto_renew", false}}).at("id");
    renewing_token = w.get(renewing).at("token");
    w.clock(t0 + 10 * day);
  }
  REQUIRE(own.stop() == 0);
  own.restart();  // down over Feb 20 and Mar 20; the clock is set again only after the restart
  auto op = own.operator_client();
  expect_status(op.post("/v1/test/clock", {{"now", "2047-03-25T00:00:00Z"}}), 200, "clock");
  auto renewed = op.get("/v1/licenses/" + renewing);
  REQUIRE(renewed.status == 200);
  CHECK(renewed.json.at("status") == "active");
  CHECK(renewed.json.at("expires_at") == "2047-04-20T00:00:00Z");
  auto ledger = op.get("/v1/licenses/" + renewing + "/ledger").json.at("items");
  REQUIRE(ledger.size() == 3);  // purchase and both missed renewals
  CHECK(ledger[1].at("period_start") == "2047-02-20T00:00:00Z");
  CHECK(ledger[2].at("period_start") == "2047-03-20T00:00:00Z");
  CHECK(op.get("/v1/licenses/" + expiring).json.at("status") == "expired");
  auto anyone = own.client();
  CHECK(validate_code(anyone, {{"token", renewing_token}}) == "valid");
  CHECK(validate_code(anyone, {{"token", renewed.json.at("token")}}) == "valid");
  CHECK(token_claims_untrusted(renewed.json.at("token")).at("exp") == "2047-04-20T00:00:00Z");

  // Idempotent: running again at the same time, or restarting again, charges nothing twice.
  expect_status(op.post("/v1/test/clock", {{"now", "2047-03-25T00:00:00Z"}}), 200, "clock");
  REQUIRE(own.stop() == 0);
  own.restart();
  op = own.operator_client();
  expect_status(op.post("/v1/test/clock", {{"now", "2047-03-26T00:00:00Z"}}), 200, "clock");
  CHECK(op.get("/v1/licenses/" + renewing + "/ledger").json.at("items").size() == 3);
  int renewals = 0;
  for (const auto& entry : audit_of(op, renewing))
    if (entry.at("action") == "subscription.renew") ++renewals;
  CHECK(renewals == 2);
}

TEST_CASE("delivery text, VAT numbers, the audit log, and a plain license is not a subscription") {
  const auto t0 = at("2049-09-01T00:00:00Z");
  world w(server(), t0);
  auto lic = w.subscribe({{"seats", 3}});
  auto delivery = w.p().get("/v1/licenses/" + lic.at("id").get<std::string>() + "/delivery");
  REQUIRE(delivery.status == 200);
  CHECK(delivery.json.at("activation_key") == lic.at("activation_key"));
  CHECK(delivery.json.at("email") == lic.at("email"));
  CHECK(delivery.json.at("token") == lic.at("token"));
  const auto text = delivery.json.at("instructions").get<std::string>();
  CHECK(text.find(lic.at("activation_key").get<std::string>()) != std::string::npos);
  CHECK(text.find("Activation") != std::string::npos);

  auto vat_ok = w.p().post("/v1/customers", {{"email", "vat." + unique_suffix() + "@example.com"}, {"vat_number", "de 123456789"}});
  REQUIRE(vat_ok.status == 201);
  CHECK(vat_ok.json.at("vat_number") == "DE123456789");
  CHECK_ERROR(w.p().post("/v1/customers", {{"email", "vat." + unique_suffix() + "@example.com"}, {"vat_number", "DE12345"}}),
              422, "invalid_vat_number");

  REQUIRE(w.post(lic.at("id"), "seats", {{"seats", 4}}).status == 200);
  bool created = false, seats = false;
  for (const auto& entry : audit_of(w.op, lic.at("id"))) {
    created = created || entry.at("action") == "subscription.create";
    seats = seats || entry.at("action") == "subscription.seats";
  }
  CHECK(created);
  CHECK(seats);

  auto plain = license_issue(w.p(), {w.customer.at("id"), w.product, "paid"});
  CHECK_ERROR(w.post(plain.at("id"), "seats", {{"seats", 2}}), 409, "not_a_subscription");
  CHECK(w.post(plain.at("id"), "suspend").status == 200);  // the plain rules still apply
  CHECK(w.post(plain.at("id"), "reinstate").status == 200);
  CHECK_ERROR(w.subscribe_try({{"term", "weekly"}}), 400, "bad_request");
}

TEST_CASE("N seats give exactly N working tokens: the subscription's customer holds one of them") {
  world w(server(), at("2071-05-01T00:00:00Z"));
  auto lic = w.subscribe({{"seats", 3}, {"term", "annual"}});
  const auto id = lic.at("id").get<std::string>();
  const auto key = lic.at("activation_key").get<std::string>();
  REQUIRE(w.post(id, "members", {{"email", "ann@example.com"}}).status == 201);
  REQUIRE(w.post(id, "members", {{"email", "bob@example.com"}}).status == 201);
  CHECK_ERROR(w.post(id, "members", {{"email", "cy@example.com"}}), 422, "seats_exhausted");
  // Every seat is taken: someone already on the subscription is told so, not that seats ran out.
  auto owner_shouting = lic.at("email").get<std::string>();
  std::transform(owner_shouting.begin(), owner_shouting.end(), owner_shouting.begin(), ::toupper);
  CHECK_ERROR(w.post(id, "members", {{"email", "  ANN@Example.com "}}), 409, "member_exists");
  CHECK_ERROR(w.post(id, "members", {{"email", " " + owner_shouting}}), 409, "member_exists");

  int working = 0;
  for (const auto& email : {lic.at("email").get<std::string>(), std::string("ann@example.com"), std::string("bob@example.com"),
                            std::string("cy@example.com")}) {
    auto activated = w.anyone.post("/v1/activate", {{"activation_key", key}, {"email", email}});
    if (activated.status == 200 && validate_code(w.anyone, {{"token", activated.json.at("token")}}) == "valid") ++working;
  }
  CHECK(working == 3);
  // The seat count cannot drop below the customer and its members, now or at renewal.
  CHECK_ERROR(w.post(id, "seats", {{"seats", 2}}), 422, "seats_in_use");
  CHECK_ERROR(w.post(id, "scheduled-change", {{"seats", 2}}), 422, "seats_in_use");
  auto one_seat = w.subscribe({{"seats", 1}});
  CHECK_ERROR(w.post(one_seat.at("id"), "members", {{"email", "dan@example.com"}}), 422, "seats_exhausted");
}

TEST_CASE("cancelled and expired subscriptions hand out no token; a cancelled token ends where the refund starts") {
  const auto t0 = at("2072-03-01T00:00:00Z");
  world w(server(), t0);
  auto lic = w.subscribe({{"seats", 3}});  // March: 31 days, 30.00
  const auto id = lic.at("id").get<std::string>();
  const auto key = lic.at("activation_key").get<std::string>();
  REQUIRE(w.post(id, "members", {{"email", "member@example.com"}}).status == 201);

  w.clock(t0 + 2 * day + 3'600);  // an hour into day 2
  auto cancelled = w.post(id, "cancel");
  REQUIRE(cancelled.status == 200);
  // 28 whole unused days are refunded; day 2 was started, paid and kept: the tokens end with it.
  CHECK(sum_amounts(w.ledger(id), "cancellation") == -3'000 * 28 / 31);
  CHECK(cancelled.json.at("expires_at") == t(t0 + 3 * day));
  CHECK(token_claims_untrusted(cancelled.json.at("token")).at("exp") == t(t0 + 3 * day));
  CHECK_ERROR(w.anyone.post("/v1/activate", {{"activation_key", key}, {"email", lic.at("email")}}), 422,
              "subscription_not_active");
  CHECK_ERROR(w.anyone.post("/v1/activate", {{"activation_key", key}, {"email", "member@example.com"}}), 422,
              "subscription_not_active");
  CHECK_ERROR(w.p().get("/v1/licenses/" + id + "/delivery"), 422, "subscription_not_active");

  auto lapsing = w.subscribe({{"seats", 1}, {"auto_renew", false}});
  const auto lapsing_id = lapsing.at("id").get<std::string>();
  w.clock(t0 + 40 * day);
  REQUIRE(w.get(lapsing_id).at("status") == "expired");
  CHECK_ERROR(w.anyone.post("/v1/activate", {{"activation_key", lapsing.at("activation_key")}, {"email", lapsing.at("email")}}),
              422, "subscription_not_active");
  CHECK_ERROR(w.p().get("/v1/licenses/" + lapsing_id + "/delivery"), 422, "subscription_not_active");
}

TEST_CASE("a partner that may not issue cannot create or widen anything; renewals of what it sold go on") {
  const auto t0 = at("2073-01-10T00:00:00Z");
  world w(server(), t0);
  auto lic = w.subscribe({{"seats", 3}});
  const auto id = lic.at("id").get<std::string>();
  auto trial = w.subscribe({{"trial", true}});  // ends Feb 9
  const auto trial_id = trial.at("id").get<std::string>();
  auto planned = w.subscribe({{"seats", 4}});
  const auto planned_id = planned.at("id").get<std::string>();
  REQUIRE(w.post(id, "members", {{"email", "early@example.com"}}).status == 201);
  REQUIRE(w.post(planned_id, "scheduled-change", {{"seats", 6}, {"tier", "pro"}}).status == 200);
  expect_status(w.op.patch("/v1/partners/" + w.partner.id, {{"can_issue", false}}), 200, "disable the partner");

  CHECK_ERROR(w.subscribe_try({{"seats", 1}}), 403, "partner_not_enabled");
  CHECK_ERROR(w.subscribe_try({{"base_license_id", id}}), 403, "partner_not_enabled");
  CHECK_ERROR(w.post(id, "seats", {{"seats", 4}}), 403, "partner_not_enabled");
  CHECK_ERROR(w.post(id, "members", {{"email", "late@example.com"}}), 403, "partner_not_enabled");
  CHECK_ERROR(w.post(id, "upgrade", {{"tier", "pro"}}), 403, "partner_not_enabled");
  CHECK_ERROR(w.post(id, "upgrade", {{"tier", "pro"}, {"seats", 1}}), 403, "partner_not_enabled");
  CHECK_ERROR(w.post(id, "scheduled-change", {{"seats", 5}}), 403, "partner_not_enabled");
  CHECK_ERROR(w.post(trial_id, "convert"), 403, "partner_not_enabled");
  CHECK_ERROR(w.post(trial_id, "convert", {{"into_license_id", id}}), 403, "partner_not_enabled");
  // A member's first token is a new working token.
  CHECK_ERROR(w.anyone.post("/v1/activate", {{"activation_key", lic.at("activation_key")}, {"email", "early@example.com"}}),
              403, "partner_not_enabled");
  CHECK(w.get(id).at("seats") == 3);
  CHECK(w.get(id).at("tier") == "basic");
  CHECK(w.ledger(id).size() == 1);

  // Narrowing and the customer's own token still work.
  CHECK(w.post(id, "seats", {{"seats", 2}}).status == 200);
  CHECK(w.anyone.post("/v1/activate", {{"activation_key", lic.at("activation_key")}, {"email", lic.at("email")}}).status == 200);

  // Renewals go on as sold: no scheduled widening, and the trial expires instead of converting.
  w.clock(at("2073-02-10T00:00:00Z"));
  const auto renewed = w.get(id);
  CHECK(renewed.at("status") == "active");
  CHECK(renewed.at("expires_at") == t(at("2073-03-10T00:00:00Z")));
  const auto kept = w.get(planned_id);
  CHECK(kept.at("expires_at") == t(at("2073-03-10T00:00:00Z")));
  CHECK(kept.at("seats") == 4);
  CHECK(kept.at("tier") == "basic");
  CHECK(w.get(trial_id).at("status") == "expired");
  CHECK(w.get(trial_id).at("kind") == "trial");
}

TEST_CASE("the largest accepted prices and seat counts are charged and refunded exactly") {
  const auto t0 = at("2074-01-01T00:00:00Z");
  world w(server(), t0);
  const std::int64_t price_max = 100'000'000'000;
  const auto big = "big-" + unique_suffix();
  const json top{{"currency", "EUR"}, {"seat_month", price_max}, {"seat_year", price_max}};
  expect_status(w.op.post("/v1/products", {{"id", big}, {"tiers", {"basic"}}, {"prices", {{"basic", top}}}}), 201, "product");
  json over = top;
  over["seat_year"] = price_max + 1;
  CHECK_ERROR(w.op.post("/v1/products", {{"id", big + "-over"}, {"tiers", {"basic"}}, {"prices", {{"basic", over}}}}), 400,
              "bad_request");
  CHECK_ERROR(w.subscribe_try({{"product", big}, {"seats", 1'000'001}}), 400, "bad_request");

  auto lic = w.subscribe({{"product", big}, {"term", "annual"}, {"seats", 1'000'000}});
  const auto id = lic.at("id").get<std::string>();
  CHECK(sum_amounts(w.ledger(id), "purchase") == 100'000'000'000'000'000);
  w.clock(t0 + day);
  REQUIRE(w.post(id, "cancel").status == 200);
  // 364 of 365 days back: 1e17 x 364 / 365, a refund (it was once booked as a charge).
  CHECK(sum_amounts(w.ledger(id), "cancellation") == -99'726'027'397'260'273);
}

TEST_CASE("without --test-clock the clock endpoint does not exist") {
  licensord_process plain;
  auto op = plain.operator_client();
  CHECK_ERROR(op.post("/v1/test/clock", {{"now", "2050-01-01T00:00:00Z"}}), 404, "not_found");
}
