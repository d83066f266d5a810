// Idempotency-Key: a retried POST gets the first answer and changes nothing more.
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>

#include "licensor/rfc3339.hpp"
#include "server_test.hpp"

using namespace licensor::testing;

namespace {

header_list key(const std::string& value) { return {{"Idempotency-Key", value}}; }

}  // namespace

TEST_CASE("the same POST with the same Idempotency-Key twice: the same answer, one license") {
  partner_world w;
  const auto customer = customer_fresh(w.as_partner)["id"].get<std::string>();
  const auto retry_key = "retry-" + unique_suffix();
  const auto first = license_issue_try(w.as_partner, {customer, w.product}, key(retry_key));
  REQUIRE(first.status == 201);
  const auto second = license_issue_try(w.as_partner, {customer, w.product}, key(retry_key));
  CHECK(second.status == 201);
  CHECK(second.json == first.json);
  CHECK(free_used(w.as_partner) == 1);
  CHECK(w.as_partner.get("/v1/licenses").json.at("items").size() == 1);

  // The same key with another body is a client bug, not a retry.
  const auto other = customer_fresh(w.as_partner)["id"].get<std::string>();
  CHECK_ERROR(license_issue_try(w.as_partner, {other, w.product}, key(retry_key)), 409, "idempotency_mismatch");
  CHECK_ERROR(license_issue_try(w.as_partner, {customer, w.product, "paid"}, key(retry_key)), 409, "idempotency_mismatch");
  CHECK(free_used(w.as_partner) == 1);
  // Without the key, the same body is a new request (and here a rule refuses it).
  CHECK_ERROR(license_issue_try(w.as_partner, {customer, w.product}), 422, "free_license_exists");
}

TEST_CASE("Idempotency-Keys belong to their caller") {
  partner_world w;
  const auto other_partner = partner_create(w.as_operator);
  auto as_other = w.server.client(other_partner.api_key);
  const auto shared_key = "shared-" + unique_suffix();
  const auto mine = customer_fresh(w.as_partner)["id"].get<std::string>();
  const auto theirs = customer_fresh(as_other)["id"].get<std::string>();
  CHECK(license_issue_try(w.as_partner, {mine, w.product}, key(shared_key)).status == 201);
  const auto other_answer = license_issue_try(as_other, {theirs, w.product}, key(shared_key));
  CHECK(other_answer.status == 201);
  CHECK(other_answer.json.at("customer_id") == theirs);
  CHECK(free_used(as_other) == 1);
}

TEST_CASE("10 concurrent retries with one Idempotency-Key make exactly one license") {
  partner_world w;
  const auto customer = customer_fresh(w.as_partner)["id"].get<std::string>();
  const auto retry_key = "storm-" + unique_suffix();
  std::mutex mutex;
  std::vector<response> answers;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int i = 0; i < 10; ++i) {
    threads.emplace_back([&] {
      try {
        auto client = w.server.client(w.partner.api_key);
        auto answer = license_issue_try(client, {customer, w.product, "paid"}, key(retry_key));
        std::lock_guard lock(mutex);
        answers.push_back(std::move(answer));
      } catch (const std::exception& error) {
        std::lock_guard lock(mutex);
        failures.emplace_back(error.what());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures.empty());
  REQUIRE(answers.size() == 10);
  for (const auto& answer : answers) {
    CHECK(answer.status == 201);
    CHECK(answer.json == answers.front().json);
  }
  const auto listed = w.as_partner.get("/v1/licenses");
  REQUIRE(listed.json.at("items").size() == 1);
  CHECK(listed.json.at("items")[0].at("id") == answers.front().json.at("id"));
}

TEST_CASE("idempotent replays cover other changes too") {
  partner_world w;
  const auto retry_key = "customer-" + unique_suffix();
  const auto email = "idem." + unique_suffix() + "@example.com";
  const auto first = w.as_partner.post("/v1/customers", {{"email", email}}, key(retry_key));
  REQUIRE(first.status == 201);
  const auto second = w.as_partner.post("/v1/customers", {{"email", email}}, key(retry_key));
  CHECK(second.status == 201);
  CHECK(second.json == first.json);
  CHECK_ERROR(w.as_partner.post("/v1/customers", {{"email", email}}), 409, "email_taken");
  CHECK(w.as_partner.get("/v1/customers").json.at("items").size() == 1);
}

TEST_CASE("an Idempotency-Key is 1-255 visible characters; longer or odd keys are a clear 400") {
  partner_world w;
  const auto customer = customer_fresh(w.as_partner)["id"].get<std::string>();
  const auto longest = std::string(255, 'k');
  CHECK(license_issue_try(w.as_partner, {customer, w.product}, key(longest)).status == 201);
  // 256 and far past LMDB's key limit (which once answered 500): refused before any storage.
  for (const auto length : {256, 1000, 8000})
    CHECK_ERROR(license_issue_try(w.as_partner, {customer, w.product}, key(std::string(length, 'k'))), 400, "bad_request");
  CHECK_ERROR(license_issue_try(w.as_partner, {customer, w.product}, key("has space")), 400, "bad_request");
  CHECK(free_used(w.as_partner) == 1);
}

TEST_CASE("GET ignores Idempotency-Key: a token read after a revocation is not replayed") {
  partner_world w;
  const auto customer = customer_fresh(w.as_partner)["id"].get<std::string>();
  const auto license = license_issue(w.as_partner, {customer, w.product, "paid"});
  const auto target = "/v1/licenses/" + license.at("id").get<std::string>() + "/token";
  const auto read_key = key("token-read-" + unique_suffix());
  REQUIRE(w.as_partner.get(target, read_key).status == 200);
  REQUIRE(w.as_partner.post("/v1/licenses/" + license.at("id").get<std::string>() + "/revoke").status == 200);
  CHECK_ERROR(w.as_partner.get(target, read_key), 409, "license_revoked");
  // Even a key far too long for a change is ignored on a read.
  CHECK(w.as_partner.get("/v1/licenses", key(std::string(2000, 'g'))).status == 200);
}

TEST_CASE("a new API key is shown once: a replay answers secret_shown_once and the store never holds it") {
  auto& server = shared_server();
  auto as_operator = server.operator_client();
  const auto partner = partner_create(as_operator);
  const auto retry_key = key("api-key-" + unique_suffix());
  const auto target = "/v1/partners/" + partner.id + "/api-keys";
  const auto first = as_operator.post(target, nlohmann::json::object(), retry_key);
  REQUIRE(first.status == 201);
  const auto secret = first.json.at("api_key").get<std::string>();
  const auto replay = as_operator.post(target, nlohmann::json::object(), retry_key);
  CHECK_ERROR(replay, 409, "secret_shown_once");
  CHECK(replay.body.find(secret) == std::string::npos);
  CHECK(replay.body.find(first.json.at("id").get<std::string>()) != std::string::npos);
  // Still exactly one new key: the first works, and no second was made.
  CHECK(server.client(secret).get("/v1/licenses").status == 200);

  // The plaintext is nowhere in the store (hashes only).
  const auto bytes = server.store_contents();
  REQUIRE_FALSE(bytes.empty());
  CHECK(bytes.find(secret) == std::string::npos);
}

TEST_CASE("Idempotency records expire: after the TTL the same key is a new request") {
  licensord_process server({"--test-clock", "--idempotency-ttl", "1"});
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator);
  auto as_partner = server.client(partner.api_key);
  const auto retry_key = key("expiring-" + unique_suffix());
  const auto email = [](int n) { return "ttl" + std::to_string(n) + "." + unique_suffix() + "@example.com"; };
  const std::int64_t start = 1'900'000'000;
  const auto clock_set = [&](std::int64_t seconds) {
    REQUIRE(as_operator.post("/v1/test/clock", {{"now", licensor::rfc3339_format(seconds)}}).status == 200);
  };
  clock_set(start);
  REQUIRE(as_partner.post("/v1/customers", {{"email", email(1)}}, retry_key).status == 201);
  clock_set(start + 3599);  // within the hour: still a retry, so another body is a mismatch
  CHECK_ERROR(as_partner.post("/v1/customers", {{"email", email(2)}}, retry_key), 409, "idempotency_mismatch");
  clock_set(start + 3601);  // past it: a new request under the old key
  CHECK(as_partner.post("/v1/customers", {{"email", email(3)}}, retry_key).status == 201);
  CHECK(as_partner.get("/v1/customers").json.at("items").size() == 2);
}
