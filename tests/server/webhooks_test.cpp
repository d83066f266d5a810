// Webhooks end to end: licensord delivers to a receiver on loopback (support/webhook_receiver),
// signed as Standard Webhooks, in order per subject, with retries on the schedule (driven by the
// test clock), 410 and 5 days of failures disabling the endpoint, Retry-After honoured, partners
// isolated, and the vendor's network protected: an address on loopback is refused unless the
// operator allowed it, and a redirect is never followed. (tests/webhooks/ checks the signatures
// with the standardwebhooks package, and delivery across SIGKILLs.)
#include <ctime>
#include <mutex>
#include <set>
#include <thread>

#include "domain/webhook_signature.hpp"
#include "licensor/rfc3339.hpp"
#include "server_test.hpp"
#include "support/webhook_receiver.hpp"

using namespace licensor::testing;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> open_network{"--webhook-allow-private", "yes", "--webhook-allow-http", "yes", "--test-clock"};

struct webhook_world {
  explicit webhook_world(std::vector<std::string> args = open_network) : server(std::move(args)) {
    clock_at(start);
  }
  licensord_process server;
  https_client as_operator = server.operator_client();
  std::string product = product_create(as_operator);
  partner_account partner = partner_create(as_operator);
  https_client as_partner = server.client(partner.api_key);
  std::int64_t start = static_cast<std::int64_t>(std::time(nullptr));
  std::int64_t now = start;

  // Moves the test clock (which also runs the jobs and a delivery round before answering).
  void clock_at(std::int64_t at) {
    now = at;
    REQUIRE(as_operator.post("/v1/test/clock", {{"now", licensor::rfc3339_format(at)}}).status == 200);
  }
  void clock_forward(std::int64_t seconds) { clock_at(now + seconds); }

  nlohmann::json endpoint_create(https_client& owner, const std::string& url, nlohmann::json types = nlohmann::json::array()) {
    auto made = owner.post("/v1/webhook-endpoints", {{"url", url}, {"event_types", types}});
    REQUIRE(made.status == 201);
    return made.json;
  }
  nlohmann::json license() {
    return license_issue(as_partner, {customer_fresh(as_partner).at("id").get<std::string>(), product, "paid"});
  }
  std::vector<nlohmann::json> deliveries(https_client& owner, const std::string& endpoint) {
    const auto log = owner.get("/v1/webhook-endpoints/" + endpoint + "/deliveries?limit=100");
    REQUIRE(log.status == 200);
    return log.json.at("items").get<std::vector<nlohmann::json>>();
  }
  nlohmann::json endpoint(https_client& owner, const std::string& id) {
    const auto got = owner.get("/v1/webhook-endpoints/" + id);
    REQUIRE(got.status == 200);
    return got.json;
  }
};

nlohmann::json body_of(const received_request& request) { return nlohmann::json::parse(request.body); }

std::vector<std::string> types_of(const std::vector<received_request>& requests) {
  std::vector<std::string> out;
  for (const auto& request : requests) out.push_back(body_of(request).at("type").get<std::string>());
  return out;
}

// True when the request's webhook-signature holds a v1 signature made with `secret`.
bool signed_with(const received_request& request, const std::string& secret) {
  const auto key = licensor::server::webhook_secret_decode(secret);
  REQUIRE(key.has_value());
  const std::vector<licensor::server::webhook_key> keys{*key};
  const auto expected = licensor::server::webhook_signature(keys, request.headers.at("webhook-id"),
                                                            std::stoll(request.headers.at("webhook-timestamp")), request.body);
  const auto& header = request.headers.at("webhook-signature");
  return header.find(expected) != std::string::npos;
}

}  // namespace

TEST_CASE("an endpoint gets its events signed, in order, once each, and its log shows every attempt") {
  webhook_world w;
  webhook_receiver receiver;
  const auto endpoint = w.endpoint_create(w.as_partner, receiver.url());
  const std::string secret = endpoint.at("secret");
  CHECK(secret.starts_with("whsec_"));
  CHECK_FALSE(w.endpoint(w.as_partner, endpoint.at("id")).contains("secret"));  // shown once

  const auto license = w.license();
  const auto path = "/v1/licenses/" + license.at("id").get<std::string>();
  REQUIRE(w.as_partner.post(path + "/suspend").status == 200);
  REQUIRE(w.as_partner.post(path + "/reinstate").status == 200);
  REQUIRE(receiver.wait_for(3) == 3);
  const auto got = receiver.requests();
  CHECK(types_of(got) == std::vector<std::string>{"license.issued", "license.suspended", "license.reinstated"});
  for (const auto& request : got) {
    CHECK(signed_with(request, secret));
    const auto body = body_of(request);
    CHECK(request.headers.at("webhook-id") == body.at("id"));
    CHECK(body.at("partner_id") == w.partner.id);
    CHECK(body.at("data").at("id") == license.at("id"));
    CHECK(request.headers.at("content-type") == "application/json");
  }
  std::this_thread::sleep_for(500ms);
  CHECK(receiver.requests().size() == 3);  // delivered once each

  const auto log = w.deliveries(w.as_partner, endpoint.at("id"));
  REQUIRE(log.size() == 3);
  for (const auto& attempt : log) {
    CHECK(attempt.at("outcome") == "delivered");
    CHECK(attempt.at("status") == 200);
    CHECK(attempt.at("attempt") == 1);
  }
  CHECK(log.front().at("event_type") == "license.reinstated");  // newest first
  CHECK(w.endpoint(w.as_partner, endpoint.at("id")).at("last_success_at").is_string());
}

TEST_CASE("a receiver that fails the first 3 attempts with 503 gets the event on the 4th, on the retry schedule") {
  webhook_world w;
  webhook_receiver receiver([](const received_request&, std::size_t index) {
    return receiver_answer{index < 3 ? 503u : 200u, {}};
  });
  const auto endpoint = w.endpoint_create(w.as_partner, receiver.url());
  const std::string id = endpoint.at("id");
  (void)w.license();
  REQUIRE(receiver.wait_for(1) == 1);
  std::this_thread::sleep_for(300ms);
  CHECK(receiver.requests().size() == 1);  // the next attempt waits for its time

  w.clock_forward(4);  // before the retry due 5 to 6 s after (jitter stretches by up to 20%)
  CHECK(receiver.requests().size() == 1);
  // GET /metrics shows the event waiting, 4 s old.
  const auto scraped = w.as_operator.get("/metrics");
  REQUIRE(scraped.status == 200);
  CHECK(scraped.body.find("licensor_webhook_endpoint_waiting_events{endpoint=\"" + id + "\"} 1\n") != std::string::npos);
  CHECK(scraped.body.find("licensor_webhook_endpoint_lag_seconds{endpoint=\"" + id + "\"} 4\n") != std::string::npos);
  CHECK(scraped.body.find("licensor_webhook_endpoint_behind_events{endpoint=\"" + id + "\"} 0\n") != std::string::npos);
  w.clock_forward(3);
  CHECK(receiver.requests().size() == 2);
  w.clock_forward(6 * 60 + 1);
  CHECK(receiver.requests().size() == 3);
  CHECK(w.endpoint(w.as_partner, id).at("failing_since").is_string());
  w.clock_forward(36 * 60 + 1);
  REQUIRE(receiver.requests().size() == 4);

  const auto got = receiver.requests();
  for (const auto& request : got) CHECK(request.headers.at("webhook-id") == got.front().headers.at("webhook-id"));
  const auto log = w.deliveries(w.as_partner, id);
  REQUIRE(log.size() == 4);
  CHECK(log[0].at("outcome") == "delivered");
  CHECK(log[0].at("attempt") == 4);
  for (std::size_t i = 1; i < 4; ++i) {
    CHECK(log[i].at("outcome") == "retrying");
    CHECK(log[i].at("status") == 503);
    CHECK(log[i].at("error") == "answered 503");
  }
  CHECK(w.endpoint(w.as_partner, id).at("failing_since").is_null());
}

TEST_CASE("later events of a subject wait behind a failed one; other subjects go on") {
  webhook_world w;
  std::string failing_subject;
  std::mutex mutex;
  webhook_receiver receiver([&](const received_request& request, std::size_t) {
    std::lock_guard lock(mutex);
    const auto subject = body_of(request).at("subject").get<std::string>();
    if (failing_subject.empty()) failing_subject = subject;
    return receiver_answer{subject == failing_subject && body_of(request).at("type") == "license.issued" ? 500u : 200u, {}};
  });
  const auto endpoint = w.endpoint_create(w.as_partner, receiver.url());
  const auto first = w.license();
  REQUIRE(receiver.wait_for(1) == 1);
  REQUIRE(w.as_partner.post("/v1/licenses/" + first.at("id").get<std::string>() + "/suspend").status == 200);
  const auto second = w.license();
  REQUIRE(receiver.wait_for(2) == 2);
  std::this_thread::sleep_for(500ms);
  auto got = receiver.requests();
  REQUIRE(got.size() == 2);
  CHECK(body_of(got[1]).at("subject") == "license:" + second.at("id").get<std::string>());  // the other subject went on

  {
    std::lock_guard lock(mutex);
    failing_subject = "none";  // the receiver recovers
  }
  w.clock_forward(10);
  REQUIRE(receiver.wait_for(4) == 4);
  got = receiver.requests();
  CHECK(body_of(got[2]).at("type") == "license.issued");
  CHECK(body_of(got[3]).at("type") == "license.suspended");  // after the issued one, never before
  CHECK(body_of(got[3]).at("subject") == "license:" + first.at("id").get<std::string>());
}

TEST_CASE("an endpoint that answers 410 is disabled at once and its owner hears of it") {
  webhook_world w;
  webhook_receiver gone([](const received_request&, std::size_t) { return receiver_answer{410, {}}; });
  webhook_receiver watcher;
  const auto endpoint = w.endpoint_create(w.as_partner, gone.url());
  const auto operators = w.endpoint_create(w.as_operator, watcher.url(), {"webhook.*"});
  (void)w.license();
  REQUIRE(gone.wait_for(1) == 1);
  REQUIRE(watcher.wait_for(1) == 1);
  const auto disabled = w.endpoint(w.as_partner, endpoint.at("id"));
  CHECK(disabled.at("enabled") == false);
  CHECK(disabled.at("disabled_reason") == "gone");
  const auto told = body_of(watcher.requests().at(0));
  CHECK(told.at("type") == "webhook.endpoint_disabled");
  CHECK(told.at("data").at("reason") == "gone");
  CHECK(told.at("partner_id") == w.partner.id);

  (void)w.license();
  w.clock_forward(3600);
  CHECK(gone.requests().size() == 1);  // nothing more while disabled
  CHECK(w.deliveries(w.as_partner, endpoint.at("id")).at(0).at("outcome") == "gone");
  (void)operators;
}

TEST_CASE("an endpoint failing for 5 days without a success is disabled") {
  webhook_world w;
  webhook_receiver down([](const received_request&, std::size_t) { return receiver_answer{502, {}}; });
  const auto endpoint = w.endpoint_create(w.as_partner, down.url());
  const std::string id = endpoint.at("id");
  (void)w.license();
  REQUIRE(down.wait_for(1) == 1);
  // An event every 6 hours, each failing on its own schedule.
  for (int step = 0; step < 19; ++step) {
    w.clock_forward(6 * 3600);
    (void)w.license();
  }
  CHECK(w.endpoint(w.as_partner, id).at("enabled") == true);  // 4 days 18 hours
  w.clock_forward(12 * 3600);
  const auto disabled = w.endpoint(w.as_partner, id);
  CHECK(disabled.at("enabled") == false);
  CHECK(disabled.at("disabled_reason") == "failing");

  // Enabled again, it resumes with what waited.
  REQUIRE(w.as_partner.patch("/v1/webhook-endpoints/" + id, {{"enabled", true}}).status == 200);
  const auto before = down.requests().size();
  w.clock_forward(60);
  CHECK(down.requests().size() > before);
}

TEST_CASE("Retry-After on a 429 sets the next attempt") {
  webhook_world w;
  webhook_receiver busy([](const received_request&, std::size_t index) {
    if (index == 0) return receiver_answer{429, {{"Retry-After", "600"}}};
    return receiver_answer{200, {}};
  });
  (void)w.endpoint_create(w.as_partner, busy.url());
  (void)w.license();
  REQUIRE(busy.wait_for(1) == 1);
  w.clock_forward(300);  // the schedule alone would have retried after ~5 s
  CHECK(busy.requests().size() == 1);
  w.clock_forward(301);
  CHECK(busy.requests().size() == 2);
}

TEST_CASE("a partner's endpoint hears only its partner's events; an operator's hears every partner's") {
  webhook_world w;
  const auto other = partner_create(w.as_operator);
  auto as_other = w.server.client(other.api_key);
  webhook_receiver mine, theirs, operators;
  (void)w.endpoint_create(w.as_partner, mine.url());
  (void)w.endpoint_create(as_other, theirs.url());
  (void)w.endpoint_create(w.as_operator, operators.url(), {"license.*"});
  for (int i = 0; i < 3; ++i) {
    (void)w.license();
    (void)license_issue(as_other, {customer_fresh(as_other).at("id").get<std::string>(), w.product});
  }
  REQUIRE(mine.wait_for(3) == 3);
  REQUIRE(theirs.wait_for(3) == 3);
  REQUIRE(operators.wait_for(6) == 6);
  std::this_thread::sleep_for(500ms);
  for (const auto& request : mine.requests()) CHECK(body_of(request).at("partner_id") == w.partner.id);
  for (const auto& request : theirs.requests()) CHECK(body_of(request).at("partner_id") == other.id);
  CHECK(mine.requests().size() == 3);
  CHECK(theirs.requests().size() == 3);
  std::set<std::string> partners;
  for (const auto& request : operators.requests()) partners.insert(body_of(request).at("partner_id").get<std::string>());
  CHECK(partners == std::set<std::string>{w.partner.id, other.id});

  // Nor can a partner see or touch another's endpoint.
  const auto listed = as_other.get("/v1/webhook-endpoints").json.at("items");
  REQUIRE(listed.size() == 1);
  const std::string theirs_id = listed.at(0).at("id");
  CHECK_ERROR(w.as_partner.get("/v1/webhook-endpoints/" + theirs_id), 404, "not_found");
  CHECK_ERROR(w.as_partner.del("/v1/webhook-endpoints/" + theirs_id), 404, "not_found");
  CHECK_ERROR(w.as_partner.get("/v1/webhook-endpoints/" + theirs_id + "/deliveries"), 404, "not_found");

  // The mail channel is an endpoint of the same machinery, never a webhook: not listed, not reached.
  const auto operators_listed = w.as_operator.get("/v1/webhook-endpoints").json.at("items");
  CHECK(operators_listed.size() == 1);
  for (const auto& endpoint : operators_listed) CHECK(endpoint.at("id") != "mail");
  CHECK_ERROR(w.as_operator.get("/v1/webhook-endpoints/mail"), 404, "not_found");
  CHECK_ERROR(w.as_operator.patch("/v1/webhook-endpoints/mail", {{"enabled", false}}), 404, "not_found");
  CHECK_ERROR(w.as_operator.del("/v1/webhook-endpoints/mail"), 404, "not_found");
}

TEST_CASE("by default a delivery to loopback is refused after DNS, and a redirect is never followed") {
  SUBCASE("loopback, by address and by name, refused with the default configuration") {
    webhook_world w({"--webhook-allow-http", "yes", "--test-clock"});
    webhook_receiver receiver;
    const auto by_address = w.endpoint_create(w.as_partner, receiver.url());
    const auto by_name = w.endpoint_create(w.as_partner, "http://localhost:" + std::to_string(receiver.port()) + "/hook");
    (void)w.license();
    w.clock_forward(1);
    for (const auto& endpoint : {by_address, by_name}) {
      const auto log = w.deliveries(w.as_partner, endpoint.at("id"));
      REQUIRE(log.size() == 1);
      CHECK(log[0].at("status").is_null());
      CHECK(log[0].at("error").get<std::string>().find("not allowed") != std::string::npos);
      CHECK(log[0].at("outcome") == "retrying");
    }
    CHECK(receiver.requests().empty());
  }
  SUBCASE("https only, unless allowed") {
    webhook_world w({"--test-clock"});
    CHECK_ERROR(w.as_partner.post("/v1/webhook-endpoints", {{"url", "http://hooks.example.com/x"}}), 400, "bad_request");
    CHECK_ERROR(w.as_partner.post("/v1/webhook-endpoints", {{"url", "https://user:pw@hooks.example.com/x"}}), 400, "bad_request");
    CHECK_ERROR(w.as_partner.post("/v1/webhook-endpoints", {{"url", "not a url"}}), 400, "bad_request");
    CHECK_ERROR(w.as_partner.post("/v1/webhook-endpoints", {{"url", "https://hooks.example.com/x"}, {"event_types", {"license.nope"}}}),
                400, "bad_request");
    CHECK(w.as_partner.post("/v1/webhook-endpoints", {{"url", "https://hooks.example.com/x"}, {"event_types", {"license.*"}}}).status == 201);
  }
  SUBCASE("a redirect, even to an allowed address, is an answer, not a hop") {
    webhook_world w;
    webhook_receiver target;
    webhook_receiver redirecting([&](const received_request&, std::size_t) {
      return receiver_answer{302, {{"Location", target.url("/stolen")}}};
    });
    const auto endpoint = w.endpoint_create(w.as_partner, redirecting.url());
    (void)w.license();
    REQUIRE(redirecting.wait_for(1) == 1);
    std::this_thread::sleep_for(300ms);
    CHECK(target.requests().empty());
    const auto log = w.deliveries(w.as_partner, endpoint.at("id"));
    REQUIRE(log.size() == 1);
    CHECK(log[0].at("status") == 302);
    CHECK(log[0].at("outcome") == "retrying");
  }
}

TEST_CASE("a rotated secret signs beside the new one for a day; test events and re-sends reach only their endpoint") {
  webhook_world w;
  webhook_receiver receiver, bystander;
  const auto endpoint = w.endpoint_create(w.as_partner, receiver.url());
  (void)w.endpoint_create(w.as_partner, bystander.url());
  const std::string id = endpoint.at("id");
  const std::string old_secret = endpoint.at("secret");
  const auto rotated = w.as_partner.post("/v1/webhook-endpoints/" + id + "/rotate-secret");
  REQUIRE(rotated.status == 200);
  const std::string new_secret = rotated.json.at("secret");
  CHECK(new_secret != old_secret);
  CHECK(rotated.json.at("previous_secret_expires_at").is_string());

  const auto test = w.as_partner.post("/v1/webhook-endpoints/" + id + "/test");
  REQUIRE(test.status == 202);
  CHECK(test.json.at("type") == "webhook.test");
  REQUIRE(receiver.wait_for(1) == 1);
  const auto first = receiver.requests().at(0);
  CHECK(first.headers.at("webhook-id") == test.json.at("id"));
  CHECK(signed_with(first, old_secret));
  CHECK(signed_with(first, new_secret));
  CHECK(first.headers.at("webhook-signature").find(' ') != std::string::npos);  // two signatures

  w.clock_forward(86'400 + 1);
  REQUIRE(w.as_partner.post("/v1/webhook-endpoints/" + id + "/resend", {{"event_id", test.json.at("id")}}).status == 202);
  w.clock_forward(1);
  REQUIRE(receiver.wait_for(2) == 2);
  const auto again = receiver.requests().at(1);
  CHECK(again.headers.at("webhook-id") == test.json.at("id"));
  CHECK(signed_with(again, new_secret));
  CHECK_FALSE(signed_with(again, old_secret));
  CHECK(bystander.requests().empty());
  CHECK_ERROR(w.as_partner.post("/v1/webhook-endpoints/" + id + "/resend", {{"event_id", "evt_missing"}}), 404, "not_found");
}
