// Several licensord replicas on one PostgreSQL database (docs/postgresql.md): every rule stays exact
// whichever replica a request reaches, a key rotation on one is in force on all, and the shared
// background work (deliveries among it) runs on one replica at a time, once. Runs on PostgreSQL
// whatever LICENSOR_TEST_STORE says. The replicas share the first one's signing keys through its
// key dir.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "server_test.hpp"
#include "support/webhook_receiver.hpp"

using namespace licensor::testing;
using namespace std::chrono_literals;

namespace {

constexpr int replica_count = 3;

struct replicas {
  std::vector<std::unique_ptr<licensord_process>> servers;

  explicit replicas(const std::vector<std::string>& extra = {}) {
    const auto store = pg_test_database("replicas-" + unique_suffix());
    const auto args = [&](std::vector<std::string> own) {
      own.insert(own.end(), extra.begin(), extra.end());
      return own;
    };
    servers.push_back(std::make_unique<licensord_process>(args({"--store", store})));
    const auto keys = (servers.front()->data_dir() / "keys").string();
    for (int i = 1; i < replica_count; ++i)
      servers.push_back(std::make_unique<licensord_process>(args({"--store", store, "--key-dir", keys})));
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

// The keyring version a replica serves once it reached `version`, or after 10 s (each replica's
// keyring watch looks at the shared keys every second).
std::int64_t keyring_version_reached(https_client& anyone, std::int64_t version) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    const auto seen = anyone.get("/v1/keyring").json.at("version").get<std::int64_t>();
    if (seen >= version || std::chrono::steady_clock::now() > deadline) return seen;
    std::this_thread::sleep_for(100ms);
  }
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

TEST_CASE("3 replicas on one database: a key rotation through one is in force on the others within seconds") {
  replicas r;
  auto as_operator = r.operator_client(0);
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator, partner_spec().with_level("gold"));
  const auto rotated = as_operator.post("/v1/keys/rotate");
  REQUIRE(rotated.status == 200);
  const auto new_kid = rotated.json.at("active_kid").get<std::string>();
  const auto version = rotated.json.at("version").get<std::int64_t>();
  for (std::size_t i = 1; i < replica_count; ++i) {
    auto anyone = r.client(i, "");
    CHECK(keyring_version_reached(anyone, version) == version);
    auto as_partner = r.client(i, partner.api_key);
    const auto license = license_issue(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product, "paid"});
    CHECK(license.at("kid") == new_kid);
  }
}

namespace {

// Which replicas say they run the shared jobs, from GET /v1/health; waits up to `patience` for
// exactly one (the lease changes hands within its 15 s after a holder dies).
std::vector<std::size_t> lease_holders(const replicas& r, const std::set<std::size_t>& running,
                                       std::chrono::seconds patience = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  for (;;) {
    std::vector<std::size_t> holders;
    for (const auto i : running) {
      auto anyone = r.client(i, "");
      const auto health = anyone.get("/v1/health");
      REQUIRE(health.status == 200);
      CHECK(health.json.at("replica").at("writable") == true);
      if (health.json.at("replica").at("runs_shared_jobs") == true) holders.push_back(i);
    }
    if (holders.size() == 1 || std::chrono::steady_clock::now() > deadline) return holders;
    std::this_thread::sleep_for(200ms);
  }
}

// The ids of the license.issued events `receiver` got, each as often as it came.
std::multiset<std::string> issued_events(const webhook_receiver& receiver) {
  std::multiset<std::string> ids;
  for (const auto& request : receiver.requests()) {
    const auto body = nlohmann::json::parse(request.body);
    if (body.at("type") == "license.issued") ids.insert(body.at("data").at("id").get<std::string>());
  }
  return ids;
}

}  // namespace

TEST_CASE("3 replicas on one database: one runs the shared jobs, each event is delivered once, and another takes over") {
  replicas r({"--webhook-allow-private", "yes", "--webhook-allow-http", "yes"});
  auto as_operator = r.operator_client(0);
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator, partner_spec().with_level("gold"));
  webhook_receiver receiver;
  auto owner = r.client(1, partner.api_key);
  REQUIRE(owner.post("/v1/webhook-endpoints", {{"url", receiver.url()}, {"event_types", nlohmann::json::array()}}).status == 201);

  std::set<std::size_t> running{0, 1, 2};
  auto holders = lease_holders(r, running);
  REQUIRE(holders.size() == 1);
  std::set<std::string> issued;
  const auto issue_on_each = [&](std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      const auto replica = *std::next(running.begin(), static_cast<long>(i % running.size()));
      auto as_partner = r.client(replica, partner.api_key);
      issued.insert(license_issue(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product, "paid"})
                        .at("id")
                        .get<std::string>());
    }
  };
  const auto delivered_once_each = [&] {
    // Other events come too (the endpoint's customers'), so wait for these licenses' own.
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!std::ranges::includes(issued_events(receiver), issued) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(100ms);
    std::this_thread::sleep_for(1s);  // time enough for a second delivery, if one came
    const auto got = issued_events(receiver);
    for (const auto& id : issued) {
      CAPTURE(id);
      CHECK(got.count(id) == 1);
    }
    CHECK(got.size() == issued.size());
  };
  issue_on_each(30);
  delivered_once_each();

  SUBCASE("the holder stops: it gives the lease up and another takes over at once") {
    REQUIRE(r.servers[holders.front()]->stop() == 0);
    running.erase(holders.front());
    const auto started = std::chrono::steady_clock::now();
    holders = lease_holders(r, running, 10s);
    REQUIRE(holders.size() == 1);
    CHECK(std::chrono::steady_clock::now() - started < 10s);  // not the lease's 15 s
  }
  SUBCASE("the holder dies: another takes over once the lease lapses") {
    r.servers[holders.front()]->kill();
    running.erase(holders.front());
    holders = lease_holders(r, running, 40s);
    REQUIRE(holders.size() == 1);
  }
  issue_on_each(20);
  delivered_once_each();
}

TEST_CASE("3 replicas with wrapped keys share them through the store: each holds only root.public, a rotation and a "
          "revocation through the one with the root are in force on all, and the store holds no secret in the clear") {
  const auto scratch = std::filesystem::temp_directory_path() / ("licensor-shared-keys-" + unique_suffix() + "-" + std::to_string(::getpid()));
  std::filesystem::create_directories(scratch);
  const auto passphrase = scratch / "passphrase";
  {
    std::ofstream out(passphrase);
    out << "a throwaway test passphrase\n";
  }
  std::filesystem::permissions(passphrase, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const auto store = pg_test_database("shared-keys-" + unique_suffix());
  std::vector<std::unique_ptr<licensord_process>> servers;
  servers.push_back(std::make_unique<licensord_process>(
      std::vector<std::string>{"--store", store, "--passphrase-file", passphrase.string()}));
  const auto origin_keys = servers.front()->data_dir() / "keys";
  // The first replica publishes its keys within a second or two of starting.
  const auto published = std::chrono::steady_clock::now() + 20s;
  while (servers.front()->store_contents().find("keyring_shared") == std::string::npos &&
         std::chrono::steady_clock::now() < published)
    std::this_thread::sleep_for(200ms);
  for (int i = 1; i < replica_count; ++i) {
    const auto keys = scratch / ("replica-" + std::to_string(i));
    std::filesystem::create_directories(keys);
    std::filesystem::copy_file(origin_keys / "root.public", keys / "root.public");
    servers.push_back(std::make_unique<licensord_process>(
        std::vector<std::string>{"--store", store, "--key-dir", keys.string(), "--passphrase-file", passphrase.string()}));
    CHECK_FALSE(std::filesystem::exists(keys / "root.secret"));
  }
  auto as_operator = https_client(servers.front()->port(), servers.back()->operator_token());
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator, partner_spec().with_level("gold"));
  const auto issue_on = [&](std::size_t i) {
    auto as_partner = servers[i]->client(partner.api_key);
    return license_issue(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product, "paid"});
  };
  const auto first_kid = issue_on(0).at("kid").get<std::string>();
  for (std::size_t i = 1; i < replica_count; ++i) CHECK(issue_on(i).at("kid") == first_kid);

  // Only a replica with the root secret can rotate.
  auto elsewhere = https_client(servers[1]->port(), servers.back()->operator_token());
  CHECK(elsewhere.post("/v1/keys/rotate").error_code() == "root_key_offline");

  const auto rotated = as_operator.post("/v1/keys/rotate");
  REQUIRE(rotated.status == 200);
  const auto new_kid = rotated.json.at("active_kid").get<std::string>();
  REQUIRE(as_operator.post("/v1/keys/" + first_kid + "/revoke").status == 200);
  const auto revoked_version = as_operator.get("/v1/keyring").json.at("version").get<std::int64_t>();
  for (std::size_t i = 1; i < replica_count; ++i) {
    auto anyone = servers[i]->client();
    CHECK(keyring_version_reached(anyone, revoked_version) == revoked_version);
    CHECK(issue_on(i).at("kid") == new_kid);
    CHECK_FALSE(std::filesystem::exists(scratch / ("replica-" + std::to_string(i)) / "signing" / (first_kid + ".secret")));
  }

  const auto contents = servers.front()->store_contents();
  REQUIRE(contents.find("keyring_shared") != std::string::npos);
  std::ifstream root_file(origin_keys / "root.secret");
  std::string root_secret;
  std::getline(root_file, root_secret);
  REQUIRE(root_secret.starts_with("k4.secret-pw."));
  CHECK(contents.find(root_secret) == std::string::npos);  // the root never enters the store
  CHECK(contents.find("k4.secret-pw.") != std::string::npos);  // the signing secrets, wrapped
  CHECK(contents.find("k4.secret.") == std::string::npos);     // and nothing unwrapped
  servers.clear();
  std::filesystem::remove_all(scratch);
}
