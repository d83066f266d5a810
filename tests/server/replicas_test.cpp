// Several licensord replicas on one PostgreSQL database (docs/postgresql.md): every rule stays exact
// whichever replica a request reaches. Runs on PostgreSQL whatever LICENSOR_TEST_STORE says. The
// replicas share the first one's signing keys through its key dir.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "server_test.hpp"

using namespace licensor::testing;

namespace {

constexpr int replica_count = 3;

struct replicas {
  std::vector<std::unique_ptr<licensord_process>> servers;

  replicas() {
    const auto store = pg_test_database("replicas-" + unique_suffix());
    servers.push_back(std::make_unique<licensord_process>(std::vector<std::string>{"--store", store}));
    const auto keys = (servers.front()->data_dir() / "keys").string();
    for (int i = 1; i < replica_count; ++i)
      servers.push_back(std::make_unique<licensord_process>(std::vector<std::string>{"--store", store, "--key-dir", keys}));
  }
  // Each replica set the operator token at its start; the store keeps the last one's.
  [[nodiscard]] https_client operator_client(std::size_t replica) const {
    return https_client(servers[replica]->port(), servers.back()->operator_token());
  }
  [[nodiscard]] https_client client(std::size_t replica, const std::string& bearer) const {
    return servers[replica % servers.size()]->client(bearer);
  }
};

// Runs `calls` calls from 16 threads, call i on replica i % 3; returns each call's status and
// error code, in no particular order.
answers spread(const replicas& r, const std::string& bearer, std::size_t calls,
                                                     const std::function<response(https_client&, std::size_t)>& call) {
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  answers results;
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      std::vector<https_client> clients;
      for (int i = 0; i < replica_count; ++i) clients.push_back(r.client(static_cast<std::size_t>(i), bearer));
      for (auto i = next++; i < calls; i = next++) {
        const auto reply = call(clients[i % replica_count], i);
        std::lock_guard lock(mutex);
        results.emplace_back(reply.status, reply.error_code());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return results;
}

}  // namespace

TEST_CASE("3 replicas on one database: 120 concurrent free licenses for a Bronze partner give exactly 5") {
  replicas r;
  auto as_operator = r.operator_client(0);
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator, partner_spec().with_level("bronze"));
  std::vector<std::string> customers;
  for (std::size_t i = 0; i < 120; ++i) {
    auto as_partner = r.client(i, partner.api_key);
    customers.push_back(customer_fresh(as_partner)["id"].get<std::string>());
  }
  const auto results = spread(r, partner.api_key, customers.size(), [&](https_client& client, std::size_t i) {
    return license_issue_try(client, {customers[i], product});
  });
  REQUIRE(results.size() == 120);
  CHECK(answers_with(results, 201) == 5);
  CHECK(answers_with(results, 422, "partner_cap_reached") == 115);
  for (std::size_t i = 0; i < replica_count; ++i) {
    auto as_partner = r.client(i, partner.api_key);
    CHECK(free_used(as_partner) == 5);
    CHECK(as_partner.get("/v1/licenses?limit=500").json.at("items").size() == 5);
  }
}

TEST_CASE("3 replicas on one database: 100 concurrent retries of one Idempotency-Key make one license") {
  replicas r;
  auto as_operator = r.operator_client(1);
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator, partner_spec().with_level("gold"));
  auto as_partner = r.client(2, partner.api_key);
  const auto customer = customer_fresh(as_partner)["id"].get<std::string>();
  const header_list retry{{"Idempotency-Key", "replicas-" + unique_suffix()}};
  std::mutex ids_mutex;
  std::set<std::string> ids;
  const auto results = spread(r, partner.api_key, 100, [&](https_client& client, std::size_t) {
    auto reply = license_issue_try(client, {customer, product, "paid"}, retry);
    if (reply.status == 201) {
      std::lock_guard lock(ids_mutex);
      ids.insert(reply.json.at("id").get<std::string>());
    }
    return reply;
  });
  REQUIRE(results.size() == 100);
  // The check and the record are in the issuing transaction: every retry gets the first answer.
  for (const auto& result : results) {
    CAPTURE(result.second);  // the error code (clang cannot capture a structured binding)
    CHECK(result.first == 201);
  }
  CHECK(ids.size() == 1);
  CHECK(as_partner.get("/v1/licenses?limit=500").json.at("items").size() == 1);
}
