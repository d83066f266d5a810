// The transactional outbox as the event feed shows it: every license change writes its event in
// its own commit, in order, with the license as the API shows it; a refused change, a replayed
// request and a rolled-back job write none.
#include <algorithm>
#include <ctime>
#include <set>
#include <thread>

#include "licensor/rfc3339.hpp"
#include "server_test.hpp"

using namespace licensor::testing;

namespace {

struct feed {
  std::vector<nlohmann::json> items;
  std::uint64_t last_seq = 0;
};

feed events_after(https_client& as_operator, std::uint64_t after) {
  const auto page = as_operator.get("/v1/events?limit=500&after=" + std::to_string(after));
  REQUIRE(page.status == 200);
  feed out;
  for (const auto& item : page.json.at("items")) out.items.push_back(item);
  out.last_seq = page.json.at("last_seq").get<std::uint64_t>();
  return out;
}

std::vector<std::string> types_of(const feed& events) {
  std::vector<std::string> out;
  for (const auto& event : events.items) out.push_back(event.at("type").get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("a license's life writes one event per change, in order, with the license as the API shows it") {
  licensord_process server;
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator);
  auto as_partner = server.client(partner.api_key);
  const auto first = customer_fresh(as_partner, "first");
  const auto second = customer_fresh(as_partner, "second");
  const auto start = events_after(as_operator, 0).last_seq;

  const auto license = license_issue(as_partner, {first.at("id").get<std::string>(), product});
  const auto id = license.at("id").get<std::string>();
  const auto path = "/v1/licenses/" + id;
  REQUIRE(server.client().post("/v1/activate", {{"activation_key", license.at("activation_key")},
                                                 {"email", license.at("email")},
                                                 {"fingerprint", "machine-1"}}).status == 200);
  REQUIRE(as_partner.post(path + "/suspend").status == 200);
  REQUIRE(as_partner.post(path + "/reinstate").status == 200);
  REQUIRE(as_partner.post(path + "/transfer", {{"customer_id", second.at("id")}}).status == 200);
  REQUIRE(as_partner.post(path + "/unlink").status == 200);
  REQUIRE(as_partner.post(path + "/revoke").status == 200);
  REQUIRE(as_partner.del(path).status == 200);

  const auto events = events_after(as_operator, start);
  CHECK(types_of(events) == std::vector<std::string>{"license.issued", "license.activated", "license.suspended",
                                                     "license.reinstated", "license.transferred", "license.unlinked",
                                                     "license.revoked", "license.deleted"});
  std::uint64_t previous = start;
  std::set<std::string> ids;
  for (const auto& event : events.items) {
    CAPTURE(event.dump());
    CHECK(event.at("seq").get<std::uint64_t>() == previous + 1);  // nothing else wrote meanwhile
    previous = event.at("seq").get<std::uint64_t>();
    CHECK(event.at("version") == 1);
    CHECK(event.at("subject") == "license:" + id);
    CHECK(event.at("partner_id") == partner.id);
    CHECK(event.at("data").at("id") == id);
    CHECK(event.at("id").get<std::string>().starts_with("evt_"));
    ids.insert(event.at("id").get<std::string>());
  }
  CHECK(ids.size() == events.items.size());
  CHECK(events.last_seq == previous);
  REQUIRE(events.items.size() == 8);
  CHECK(events.items[0].at("data") == license);  // the object exactly as the issuing answer showed it
  CHECK(events.items[1].at("data").at("fingerprint") == "machine-1");
  CHECK(events.items[2].at("data").at("status") == "suspended");
  CHECK(events.items[4].at("data").at("customer_id") == second.at("id"));
  CHECK(events.items[5].at("data").at("customer_id").is_null());
  CHECK(events.items[6].at("data").at("status") == "revoked");

  // Polling again from last_seq finds nothing new, and says so with the same last_seq.
  const auto again = events_after(as_operator, events.last_seq);
  CHECK(again.items.empty());
  CHECK(again.last_seq == events.last_seq);
}

TEST_CASE("a refused change and a replayed request write no event") {
  licensord_process server;
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator);
  auto as_partner = server.client(partner.api_key);
  const auto customer = customer_fresh(as_partner)["id"].get<std::string>();
  const auto start = events_after(as_operator, 0).last_seq;

  const header_list key{{"Idempotency-Key", "issue-once-" + unique_suffix()}};
  const auto first = license_issue_try(as_partner, {customer, product}, key);
  REQUIRE(first.status == 201);
  const auto replayed = license_issue_try(as_partner, {customer, product}, key);
  REQUIRE(replayed.status == 201);
  CHECK(replayed.json == first.json);
  // A second free license of the product for the customer is refused by the rules.
  CHECK_ERROR(license_issue_try(as_partner, {customer, product}), 422, "free_license_exists");
  // A status change the license cannot make.
  CHECK(as_partner.post("/v1/licenses/" + first.json.at("id").get<std::string>() + "/reinstate").status == 409);

  const auto events = events_after(as_operator, start);
  CHECK(types_of(events) == std::vector<std::string>{"license.issued"});
}

TEST_CASE("concurrent changes get distinct, gapless event numbers, one per committed change") {
  licensord_process server;
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator, partner_spec().with_level("titanium"));
  const auto start = events_after(as_operator, 0).last_seq;
  std::vector<std::thread> clients;
  std::atomic<int> issued{0};
  for (int i = 0; i < 16; ++i)
    clients.emplace_back([&] {
      auto as_partner = server.client(partner.api_key);
      const auto customer = customer_fresh(as_partner)["id"].get<std::string>();
      for (int n = 0; n < 5; ++n)
        if (license_issue_try(as_partner, {customer, product, "paid"}).status == 201) ++issued;
    });
  for (auto& client : clients) client.join();
  REQUIRE(issued == 80);
  const auto events = events_after(as_operator, start);
  REQUIRE(events.items.size() == 80);
  std::set<std::string> licenses;
  for (std::size_t i = 0; i < events.items.size(); ++i) {
    CHECK(events.items[i].at("seq").get<std::uint64_t>() == start + 1 + i);
    CHECK(events.items[i].at("type") == "license.issued");
    licenses.insert(events.items[i].at("data").at("id").get<std::string>());
  }
  CHECK(licenses.size() == 80);
}

TEST_CASE("the event feed is for operators, and refuses a position that is not a number") {
  auto& server = shared_server();
  auto as_operator = server.operator_client();
  const auto partner = partner_create(as_operator);
  CHECK(server.client(partner.api_key).get("/v1/events").status == 403);
  CHECK(server.client().get("/v1/events").status == 401);
  for (const char* bad : {"-1", "x", "1x", "", "99999999999999999999999"}) {
    CAPTURE(bad);
    CHECK_ERROR(as_operator.get(std::string("/v1/events?after=") + bad), 400, "bad_request");
  }
}

TEST_CASE("a subscription's life writes its events after its license's, with its ledger entries, in one subject") {
  licensord_process server({"--test-clock", "--event-retention", "365"});  // the clock moves a month
  auto as_operator = server.operator_client();
  const auto start_at = static_cast<std::int64_t>(std::time(nullptr));
  REQUIRE(as_operator.post("/v1/test/clock", {{"now", licensor::rfc3339_format(start_at)}}).status == 200);
  const std::string product = "app-" + unique_suffix();
  const nlohmann::json price{{"currency", "EUR"}, {"seat_month", 1'000}, {"seat_year", 12'000}};
  REQUIRE(as_operator.post("/v1/products", {{"id", product}, {"tiers", {"basic", "pro"}}, {"prices", {{"basic", price}, {"pro", price}}}}).status == 201);
  const auto partner = partner_create(as_operator);
  auto as_partner = server.client(partner.api_key);
  const auto customer = customer_fresh(as_partner);
  const auto start = events_after(as_operator, 0).last_seq;

  const auto created = as_partner.post("/v1/subscriptions", {{"customer_id", customer.at("id")}, {"product", product}, {"tier", "basic"},
                                                              {"term", "monthly"}, {"seats", 3}, {"auto_renew", true}});
  REQUIRE(created.status == 201);
  const std::string id = created.json.at("id");
  const auto path = "/v1/licenses/" + id;
  REQUIRE(as_partner.post(path + "/members", {{"email", "member@example.com"}}).status == 201);
  REQUIRE(as_partner.post(path + "/seats", {{"seats", 4}}).status == 200);
  REQUIRE(as_partner.post(path + "/suspend").status == 200);  // which turns auto-renew off
  REQUIRE(as_partner.post(path + "/reactivate").status == 200);
  REQUIRE(as_partner.post(path + "/auto-renew", {{"on", true}}).status == 200);
  REQUIRE(as_partner.post(path + "/scheduled-change", {{"tier", "pro"}}).status == 200);
  REQUIRE(as_partner.request("DELETE", path + "/members", nlohmann::json{{"email", "member@example.com"}}.dump()).status == 200);
  REQUIRE(as_operator.post("/v1/test/clock", {{"now", licensor::rfc3339_format(start_at + 32 * 86'400)}}).status == 200);

  const auto events = events_after(as_operator, start);
  std::vector<std::string> types;
  for (const auto& event : events.items) {
    // (license.expiring: time's own events, tested below.)
    if (event.at("subject") != "license:" + id || event.at("type") == "license.expiring") continue;
    types.push_back(event.at("type").get<std::string>());
    CHECK(event.at("partner_id") == partner.id);
  }
  CHECK(types == std::vector<std::string>{"ledger.entry", "license.issued", "subscription.created",
                                          "subscription.member_added", "ledger.entry", "subscription.seats_changed",
                                          "license.suspended", "subscription.suspended", "license.reinstated",
                                          "subscription.reactivated", "subscription.scheduled_change_set",
                                          "subscription.member_removed", "ledger.entry",
                                          "subscription.scheduled_change_applied", "subscription.renewed"});
  for (const auto& event : events.items) {
    if (event.at("type") == "subscription.member_added") CHECK(event.at("data").at("member") == "member@example.com");
    if (event.at("type") == "subscription.renewed") {
      CHECK(event.at("data").at("tier") == "pro");
      CHECK(event.at("data").at("subscription").at("scheduled_change").is_null());
    }
    if (event.at("type") == "ledger.entry") CHECK(event.at("data").at("license_id") == id);
  }
}

TEST_CASE("the partner hears at 80% and at 100% of its free-license cap, once each; the vendor hears of its keys") {
  licensord_process server;
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator, partner_spec().with_level("bronze"));  // a cap of 5
  auto as_partner = server.client(partner.api_key);
  const auto start = events_after(as_operator, 0).last_seq;
  for (int i = 0; i < 5; ++i) (void)license_issue(as_partner, {customer_fresh(as_partner).at("id").get<std::string>(), product});
  REQUIRE(as_operator.post("/v1/keys/rotate").status == 200);

  std::vector<nlohmann::json> partner_events, key_events;
  for (const auto& event : events_after(as_operator, start).items) {
    if (event.at("type").get<std::string>().starts_with("partner.")) partner_events.push_back(event);
    if (event.at("type").get<std::string>().starts_with("key.")) key_events.push_back(event);
  }
  REQUIRE(partner_events.size() == 2);
  CHECK(partner_events[0].at("type") == "partner.cap_nearly_reached");
  CHECK(partner_events[0].at("data").at("free_licenses") == 4);
  CHECK(partner_events[0].at("data").at("cap") == 5);
  CHECK(partner_events[1].at("type") == "partner.cap_reached");
  CHECK(partner_events[1].at("data").at("percent") == 100);
  CHECK(partner_events[1].at("partner_id") == partner.id);
  REQUIRE(key_events.size() == 1);
  CHECK(key_events[0].at("type") == "key.rotated");
  CHECK(key_events[0].at("partner_id").is_null());
  CHECK(key_events[0].at("data").at("active_kid").is_string());
}

TEST_CASE("time writes expiry warnings at 30, 7 and 1 days (the nearest passed only), trials ending, and expiries, once each") {
  licensord_process server({"--test-clock", "--event-retention", "365"});
  auto as_operator = server.operator_client();
  const std::int64_t day = 86'400;
  const auto t0 = static_cast<std::int64_t>(std::time(nullptr));
  const auto clock_at = [&](std::int64_t at) {
    REQUIRE(as_operator.post("/v1/test/clock", {{"now", licensor::rfc3339_format(at)}}).status == 200);
  };
  clock_at(t0);
  const std::string product = "app-" + unique_suffix();
  const nlohmann::json price{{"currency", "EUR"}, {"seat_month", 1'000}, {"seat_year", 12'000}};
  REQUIRE(as_operator.post("/v1/products", {{"id", product}, {"tiers", {"basic"}}, {"prices", {{"basic", price}}}}).status == 201);
  const auto partner = partner_create(as_operator);
  auto as_partner = server.client(partner.api_key);
  const auto issue = [&](int days) {
    auto body = license_body({customer_fresh(as_partner).at("id").get<std::string>(), product, "paid"});
    body["expires_at"] = licensor::rfc3339_format(t0 + days * day);
    const auto issued = as_partner.post("/v1/licenses", body);
    REQUIRE(issued.status == 201);
    return "license:" + issued.json.at("id").get<std::string>();
  };
  const auto soon = issue(3);
  const auto later = issue(40);
  const auto trial_made = as_partner.post("/v1/subscriptions", {{"customer_id", customer_fresh(as_partner).at("id")}, {"product", product},
                                                                {"tier", "basic"}, {"term", "monthly"}, {"trial", true}});
  REQUIRE(trial_made.status == 201);
  const auto trial = "license:" + trial_made.json.at("id").get<std::string>();
  const auto start = events_after(as_operator, 0).last_seq;

  // The time-caused events since the last look, as "subject type days_left".
  auto seen = start;
  const auto timed = [&] {
    const auto events = events_after(as_operator, seen);
    seen = events.last_seq;
    std::vector<std::string> out;
    for (const auto& event : events.items) {
      const auto type = event.at("type").get<std::string>();
      if (type != "license.expiring" && type != "license.expired" && type != "subscription.trial_ending") continue;
      const auto& data = event.at("data");
      out.push_back(event.at("subject").get<std::string>() + " " + type +
                    (data.contains("days_left") ? " " + std::to_string(data.at("days_left").get<int>()) : ""));
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  auto sorted = [](std::vector<std::string> items) {
    std::sort(items.begin(), items.end());
    return items;
  };

  clock_at(t0 + day);  // soon: 2 days left (the 7-day point, not the 30); the trial: 29 days left
  CHECK(timed() == sorted({soon + " license.expiring 7", trial + " license.expiring 30"}));
  clock_at(t0 + day + 3600);
  CHECK(timed().empty());  // once each
  clock_at(t0 + 2 * day + day / 2);
  CHECK(timed() == sorted({soon + " license.expiring 1"}));
  clock_at(t0 + 4 * day);
  CHECK(timed() == sorted({soon + " license.expired"}));
  clock_at(t0 + 11 * day);  // later: 29 days left
  CHECK(timed() == sorted({later + " license.expiring 30"}));
  clock_at(t0 + 24 * day);  // the trial ends in 6 days
  CHECK(timed() == sorted({trial + " license.expiring 7", trial + " subscription.trial_ending 6"}));
  clock_at(t0 + 24 * day + 60);
  CHECK(timed().empty());
}

TEST_CASE("a partner's recent activity: its own events only, newest first, without their data") {
  auto& server = shared_server();
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto ours = partner_create(as_operator);
  const auto theirs = partner_create(as_operator);
  auto as_ours = server.client(ours.api_key);
  auto as_theirs = server.client(theirs.api_key);
  const auto license = license_issue(as_ours, {customer_fresh(as_ours).at("id").get<std::string>(), product});
  const auto id = license.at("id").get<std::string>();
  REQUIRE(as_ours.post("/v1/licenses/" + id + "/suspend").status == 200);
  (void)license_issue(as_theirs, {customer_fresh(as_theirs).at("id").get<std::string>(), product});

  const auto activity = as_ours.get("/v1/activity?limit=2");
  REQUIRE(activity.status == 200);
  const auto& items = activity.json.at("items");
  REQUIRE(items.size() == 2);
  CHECK(items.at(0).at("type") == "license.suspended");
  CHECK(items.at(1).at("type") == "license.issued");
  CHECK(items.at(0).at("seq").get<std::uint64_t>() > items.at(1).at("seq").get<std::uint64_t>());
  for (const auto& item : items) {
    CHECK(item.at("subject") == "license:" + id);
    CHECK_FALSE(item.contains("data"));  // a role without the ledger reads it too
  }
  // The other partner sees only its own; an operator names the partner.
  const auto theirs_activity = as_theirs.get("/v1/activity");
  REQUIRE(theirs_activity.status == 200);
  for (const auto& item : theirs_activity.json.at("items")) CHECK(item.at("subject") != "license:" + id);
  CHECK(as_operator.get("/v1/activity?partner_id=" + ours.id + "&limit=1").json.at("items").at(0).at("type") == "license.suspended");
  CHECK_ERROR(as_operator.get("/v1/activity"), 400, "bad_request");
}
