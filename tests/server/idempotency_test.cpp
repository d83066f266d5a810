// Idempotency-Key: a retried POST gets the first answer and changes nothing more.
#include <mutex>
#include <thread>

#include "server_test.hpp"

using namespace licensor::testing;

namespace {

using world = partner_world;

header_list key(const std::string& value) { return {{"Idempotency-Key", value}}; }

}  // namespace

TEST_CASE("the same POST with the same Idempotency-Key twice: the same answer, one license") {
  world w;
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
  world w;
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
  world w;
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
  world w;
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
