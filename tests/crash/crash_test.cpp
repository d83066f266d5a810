// Crash safety: licensord is killed with SIGKILL, repeatedly, in the middle of concurrent
// issuance, transfers and subscription seat changes. After every restart the store opens cleanly, every change that was
// acknowledged (2xx) is there, nothing unacknowledged is half-applied (each license is whole:
// listed, findable by activation key, its token bound to its customer), and the stored
// free-license counter equals a recount.
#include <doctest/doctest.h>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "support/https_client.hpp"
#include "support/licensor_api.hpp"
#include "support/licensord_process.hpp"

using namespace licensor::testing;

namespace {

constexpr int rounds = 5;
constexpr int writers = 8;
constexpr int customers_per_writer = 40;

struct acknowledged {
  std::mutex mutex;
  std::map<std::string, std::string> license_customer;  ///< license id -> last acknowledged customer
  std::set<std::string> in_doubt;                        ///< licenses with a transfer cut by the kill
};

// One subscription per writer: its seat count goes up by one at a time.
struct seat_counter {
  std::string license_id;
  int initial = 0;
  std::atomic<int> acknowledged{0};
  std::atomic<int> attempted{0};
};

// Issues a free license to each of this writer's customers, and transfers every other one to
// the writer's spare customer and back, until the server dies under it.
void writer_run(unsigned short port, const std::string& api_key, const std::vector<std::string>& customers,
                const std::string& product, acknowledged& seen, seat_counter& seats) {
  https_client client(port, api_key);
  client.timeout_set(std::chrono::seconds(5));
  try {
    for (std::size_t i = 0; i + 1 < customers.size(); ++i) {
      const int next_seats = seats.acknowledged + 1;
      seats.attempted = next_seats;
      if (client.post("/v1/licenses/" + seats.license_id + "/seats", {{"seats", next_seats}}).status == 200)
        seats.acknowledged = next_seats;
      const auto issued = license_issue_try(client, {customers[i], product, i % 3 == 0 ? "paid" : "free"});
      if (issued.status != 201) continue;  // e.g. this customer already got one in an earlier round
      const auto id = issued.json["id"].get<std::string>();
      {
        std::lock_guard lock(seen.mutex);
        seen.license_customer[id] = customers[i];
      }
      if (i % 2 == 0 || issued.json["kind"] == "free") continue;
      // A paid license may move freely; free ones keep the spare customer's slot empty.
      {
        std::lock_guard lock(seen.mutex);
        seen.in_doubt.insert(id);
      }
      const auto moved = client.post("/v1/licenses/" + id + "/transfer", {{"customer_id", customers.back()}});
      std::lock_guard lock(seen.mutex);
      if (moved.status == 200) {
        seen.license_customer[id] = customers.back();
        seen.in_doubt.erase(id);
      }
    }
  } catch (const std::exception&) {
    // The server was killed under this writer: whatever was not acknowledged may or may not be there.
  }
}

// Every item of a paged listing (`target` already has a query string).
std::vector<nlohmann::json> pages_all(https_client& as_operator, const std::string& target) {
  std::vector<nlohmann::json> out;
  std::string after;
  for (;;) {
    const auto page = as_operator.get(target + "&limit=500" + (after.empty() ? "" : "&after=" + after));
    REQUIRE(page.status == 200);
    for (const auto& item : page.json["items"]) out.push_back(item);
    if (page.json["next"].is_null()) return out;
    after = page.json["next"].get<std::string>();
  }
}

}  // namespace

TEST_CASE("SIGKILL during concurrent issuance and transfers loses no acknowledged change") {
  // Every stored license is validated after each restart: lift the per-client validation limit for that sweep.
  licensord_process server({"--activate-rate", "100000"});
  auto as_operator = server.operator_client();
  const auto partner = partner_create(as_operator, partner_spec().with_level("titanium"));
  const std::string product = "crash-editor";
  REQUIRE(as_operator.post("/v1/products", {{"id", product}, {"tiers", {"standard"}},
      {"prices", {{"standard", {{"currency", "EUR"}, {"seat_month", 1000}, {"seat_year", 10000}}}}}}).status == 201);
  auto as_partner = server.client(partner.api_key);
  std::vector<std::vector<std::string>> customers(writers);
  for (auto& list : customers)
    for (int i = 0; i < customers_per_writer; ++i) list.push_back(customer_fresh(as_partner)["id"].get<std::string>());
  std::vector<seat_counter> subscriptions(writers);
  for (int w = 0; w < writers; ++w) {
    const auto created = as_partner.post("/v1/subscriptions", {{"customer_id", customers[w].front()}, {"product", product},
                                                               {"term", "annual"}, {"seats", 1}});
    REQUIRE(created.status == 201);
    subscriptions[w].license_id = created.json["id"].get<std::string>();
    subscriptions[w].initial = subscriptions[w].acknowledged = subscriptions[w].attempted = 1;
  }

  acknowledged seen;
  for (int round = 0; round < rounds; ++round) {
    CAPTURE(round);
    const auto acknowledged_count = [&] {
      std::lock_guard lock(seen.mutex);
      return seen.license_customer.size();
    };
    const auto before = acknowledged_count();
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w)
      threads.emplace_back(writer_run, server.port(), partner.api_key, std::cref(customers[w]), product, std::ref(seen),
                           std::ref(subscriptions[w]));
    // Let the writers get going (until a license is acknowledged: a sanitized build starts slowly),
    // then pull the plug at a point that differs per round.
    const auto going = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (acknowledged_count() == before && std::chrono::steady_clock::now() < going)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + 70 * round));
    server.kill();
    for (auto& thread : threads) thread.join();
    server.restart();

    auto checker = server.operator_client();
    REQUIRE(checker.get("/v1/health").status == 200);
    const auto listed = pages_all(checker, "/v1/licenses?partner_id=" + partner.id);
    std::map<std::string, nlohmann::json> by_id;
    for (const auto& license : listed) by_id[license["id"].get<std::string>()] = license;

    std::lock_guard lock(seen.mutex);
    for (const auto& [id, customer] : seen.license_customer) {
      const std::string& license_id = id;  // named: clang cannot capture a binding
      CAPTURE(license_id);
      REQUIRE(by_id.count(id) == 1);
      if (!seen.in_doubt.count(id)) CHECK(by_id[id]["customer_id"] == customer);
    }
    std::uint32_t free_recount = 0;
    auto anyone = server.client();
    for (const auto& [id, license] : by_id) {
      const std::string& license_id = id;  // named: clang cannot capture a binding
      CAPTURE(license_id);
      if (license["kind"] == "free") ++free_recount;
      // Whole, not half-applied: reachable by activation key and by token, bound to its customer.
      CHECK(validate_code(anyone, {{"activation_key", license["activation_key"]}}) == "valid");
      CHECK(validate_code(anyone, {{"token", license["token"]}}) == "valid");
      const auto customer = checker.get("/v1/customers/" + license["customer_id"].get<std::string>());
      REQUIRE(customer.status == 200);
      CHECK(token_claims_untrusted(license["token"].get<std::string>())["email"] == customer.json["email"]);
    }
    for (auto& counter : subscriptions) {
      CAPTURE(counter.license_id);
      const auto license = checker.get("/v1/licenses/" + counter.license_id);
      REQUIRE(license.status == 200);
      // Acknowledged seats are there; an unacknowledged change is all there or not at all:
      // the seat count, the token's claim and the ledger (one seats_added entry per seat) agree.
      const int stored = license.json["seats"].get<int>();
      CHECK(stored >= counter.acknowledged.load());
      CHECK(stored <= std::max(counter.attempted.load(), counter.acknowledged.load()));
      CHECK(token_claims_untrusted(license.json["token"].get<std::string>())["seats"] == stored);
      int added = 0;
      for (const auto& entry : pages_all(checker, "/v1/licenses/" + counter.license_id + "/ledger?"))
        added += entry["reason"] == "seats_added";
      CHECK(added == stored - counter.initial);
      counter.acknowledged = counter.attempted = stored;  // the next round continues from what is stored
    }
    const auto usage = checker.get("/v1/usage?partner_id=" + partner.id);
    REQUIRE(usage.status == 200);
    CHECK(usage.json["free_licenses_used"].get<std::uint32_t>() == free_recount);
    MESSAGE("round ", round, ": ", seen.license_customer.size(), " acknowledged, ", by_id.size(), " stored, ",
            free_recount, " free");
  }
  CHECK(seen.license_customer.size() > 0);
  CHECK(server.stop() == 0);
}
