// DESIGN 4.4: a partner's free licenses are capped by its level, under any concurrency.
#include <atomic>
#include <mutex>
#include <thread>

#include "server_test.hpp"

using namespace licensor::testing;

namespace {

struct level_cap {
  const char* level;
  unsigned cap;
};

// Issues `count` free licenses, each to a new customer of `as_partner`.
void free_licenses_fill(https_client& as_partner, const std::string& product, unsigned count) {
  for (unsigned i = 0; i < count; ++i)
    (void)license_issue(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product});
}

std::string fresh_customer_id(https_client& as_partner) { return customer_fresh(as_partner)["id"].get<std::string>(); }

}  // namespace

TEST_CASE("each level's default cap: the last free license succeeds, the next is refused") {
  auto& server = shared_server();
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  for (const auto& [level, cap] : {level_cap{"bronze", 5}, level_cap{"silver", 25}, level_cap{"gold", 50},
                                   level_cap{"platinum", 100}, level_cap{"titanium", 150}}) {
    const std::string& partner_level = level;  // named: clang cannot capture a binding
    CAPTURE(partner_level);
    const auto partner = partner_create(as_operator, partner_spec().with_level(level));
    auto as_partner = server.client(partner.api_key);
    free_licenses_fill(as_partner, product, cap - 1);
    CHECK(free_used(as_partner) == cap - 1);
    CHECK(license_issue_try(as_partner, {fresh_customer_id(as_partner), product}).status == 201);  // the cap-th
    CHECK(free_used(as_partner) == cap);

    const auto one_more = fresh_customer_id(as_partner);
    CHECK_ERROR(license_issue_try(as_partner, {one_more, product}), 422, "partner_cap_reached");
    CHECK(free_used(as_partner) == cap);
    const auto usage = as_partner.get("/v1/usage");
    CHECK(usage.json.at("free_license_cap") == cap);
    CHECK(usage.json.at("level") == level);

    // The cap gates free licenses only: paid and trial licenses are still issued and not counted.
    CHECK(license_issue_try(as_partner, {one_more, product, "paid"}).status == 201);
    CHECK(license_issue_try(as_partner, {one_more, product, "trial"}).status == 201);
    CHECK(free_used(as_partner) == cap);
  }
}

TEST_CASE("a lower level keeps existing licenses but refuses new free ones while over its cap") {
  auto& server = shared_server();
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator, partner_spec().with_level("silver"));
  auto as_partner = server.client(partner.api_key);
  std::vector<nlohmann::json> licenses;
  for (int i = 0; i < 7; ++i) licenses.push_back(license_issue(as_partner, {fresh_customer_id(as_partner), product}));

  const auto lowered = as_operator.patch("/v1/partners/" + partner.id, {{"level", "bronze"}});
  REQUIRE(lowered.status == 200);
  CHECK(lowered.json.at("level") == "bronze");

  // Every license is still there, active and valid.
  const auto listed = as_partner.get("/v1/licenses?limit=500");
  REQUIRE(listed.status == 200);
  CHECK(listed.json.at("items").size() == 7);
  auto anyone = server.client();
  for (const auto& license : licenses) CHECK(validate_code(anyone, {{"token", license.at("token")}}) == "valid");
  CHECK(free_used(as_partner) == 7);
  CHECK(as_partner.get("/v1/usage").json.at("free_license_cap") == 5);

  // Over the cap (7 of 5), and still after deletes: a deleted free license's place is held
  // until its token expires (customer_rules_test shows the release).
  CHECK_ERROR(license_issue_try(as_partner, {fresh_customer_id(as_partner), product}), 422, "partner_cap_reached");
  for (int i = 0; i < 3; ++i)
    REQUIRE(as_partner.del("/v1/licenses/" + licenses[i].at("id").get<std::string>()).status == 200);
  CHECK(free_used(as_partner) == 7);
  CHECK_ERROR(license_issue_try(as_partner, {fresh_customer_id(as_partner), product}), 422, "partner_cap_reached");

  // Raising the level allows more at once.
  REQUIRE(as_operator.patch("/v1/partners/" + partner.id, {{"level", "gold"}}).status == 200);
  CHECK(license_issue_try(as_partner, {fresh_customer_id(as_partner), product}).status == 201);
  CHECK(free_used(as_partner) == 8);
  const auto seen = as_operator.get("/v1/partners/" + partner.id);
  CHECK(seen.json.at("usage").at("free_licenses_used") == 8);
  CHECK(seen.json.at("usage").at("free_license_cap") == 50);
}

TEST_CASE("level changes are operator-only and take known levels") {
  auto& server = shared_server();
  auto as_operator = server.operator_client();
  const auto partner = partner_create(as_operator);
  CHECK_ERROR(as_operator.patch("/v1/partners/" + partner.id, {{"level", "diamond"}}), 400, "bad_request");
  CHECK_ERROR(as_operator.patch("/v1/partners/" + partner.id, {{"level", "Gold"}}), 400, "bad_request");
  CHECK_ERROR(as_operator.patch("/v1/partners/par_nosuchpartner0000000", {{"level", "gold"}}), 404, "partner_not_found");
  auto as_partner = server.client(partner.api_key);
  CHECK_ERROR(as_partner.patch("/v1/partners/" + partner.id, {{"level", "titanium"}}), 403, "forbidden");
  CHECK(as_operator.get("/v1/partners/" + partner.id).json.at("level") == "bronze");
}

TEST_CASE("100 concurrent free-license requests for one Bronze partner: exactly 5 succeed") {
  auto& server = shared_server();
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator, partner_spec().with_level("bronze"));
  auto as_partner = server.client(partner.api_key);
  std::vector<std::string> customers;
  for (int i = 0; i < 100; ++i) customers.push_back(fresh_customer_id(as_partner));

  std::atomic<std::size_t> next{0};
  std::mutex results_mutex;
  answers results;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      try {
        auto client = server.client(partner.api_key);
        for (auto i = next++; i < customers.size(); i = next++) {
          const auto reply = license_issue_try(client, {customers[i], product});
          std::lock_guard lock(results_mutex);
          results.emplace_back(reply.status, reply.error_code());
        }
      } catch (const std::exception& error) {
        std::lock_guard lock(results_mutex);
        failures.emplace_back(error.what());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures.empty());
  REQUIRE(results.size() == 100);
  CHECK(answers_with(results, 201) == 5);
  CHECK(answers_with(results, 422, "partner_cap_reached") == 95);
  CHECK(free_used(as_partner) == 5);
  CHECK(as_partner.get("/v1/licenses?limit=500").json.at("items").size() == 5);
}
