// The failover test (docs/postgresql.md, "High availability"): 3 licensord replicas on a Patroni
// pair with strict synchronous replication (scripts/pg-ha). While 16 clients issue licenses
// through the replicas, the primary node is killed with SIGKILL (its Patroni and every PostgreSQL
// process: a machine that died); Patroni promotes the standby; the killed node comes back, as a
// standby (in strict synchronous mode the new primary takes writes once it has a synchronous
// standby again); writes succeed again.
//
// Checks: every license answered 2xx is there afterwards (on every replica), the partner holds
// exactly the licenses that were answered (a client retries an unknown outcome with the same
// Idempotency-Key, so none is issued twice), and the Bronze free-license cap is exact by
// recount. Reports the RTO: from the kill to the first successful write started after it.
// LICENSOR_FAILOVERS sets how many failovers in a row (1 in CI; more by hand).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "support/command_output.hpp"
#include "support/licensor_api.hpp"
#include "support/licensord_process.hpp"

using namespace licensor::testing;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

constexpr int replica_count = 3;
constexpr int client_count = 16;

// The Patroni pair of scripts/pg-ha in a folder of its own, stopped and removed at the end.
struct patroni_pair {
  std::filesystem::path dir;
  std::string uri;

  patroni_pair() {
    char pattern[] = "/tmp/licensor-ha-XXXXXX";  // the postgres user must reach it
    REQUIRE(::mkdtemp(pattern) != nullptr);
    dir = pattern;
    // Ports of their own per run, so that two runs on one machine do not meet.
    const auto base = 27000 + (::getpid() % 200) * 30;
    uri = pg_ha("start " + dir.string() + " " + std::to_string(base));
  }
  ~patroni_pair() {
    (void)std::system((std::string(LICENSOR_PG_HA) + " stop " + dir.string() + " >/dev/null 2>&1").c_str());
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  patroni_pair(const patroni_pair&) = delete;
  patroni_pair& operator=(const patroni_pair&) = delete;

  static std::string pg_ha(const std::string& arguments) { return command_output(std::string(LICENSOR_PG_HA) + " " + arguments); }
  [[nodiscard]] int primary() const { return std::stoi(pg_ha("primary " + dir.string())); }
  void kill(int node) const { pg_ha("node-kill " + dir.string() + " " + std::to_string(node)); }
  void start(int node) const { pg_ha("node-start " + dir.string() + " " + std::to_string(node)); }
};

// One answered (or refused) order: what was asked, when it was first sent, when its answer came.
struct order_outcome {
  std::string kind;
  unsigned status = 0;
  std::string error;
  std::string license_id;
  steady::time_point first_sent;
  steady::time_point sent;  ///< the attempt that was answered
  steady::time_point answered;
  std::size_t attempts = 0;
};

// The load: `client_count` threads, each issuing licenses through one replica, every fifth a free
// license for the Bronze partner's next customer, the others paid for the Gold partner. An
// attempt without an answer (a 5xx, or no answer) is sent again with the same Idempotency-Key
// until one comes: the client's side of docs/postgresql.md's unknown outcome.
class load {
 public:
  struct setup {
    std::vector<unsigned short> ports;
    std::string product;
    std::string paid_key;
    std::string free_key;
    std::vector<std::string> paid_customers;  ///< one per client
    std::vector<std::string> free_customers;
  };

  explicit load(setup given) : given_(std::move(given)) {
    for (int t = 0; t < client_count; ++t) threads_.emplace_back([this, t] { client(t); });
  }
  ~load() { finish(); }
  load(const load&) = delete;
  load& operator=(const load&) = delete;

  void finish() {
    stopping_ = true;
    for (auto& thread : threads_)
      if (thread.joinable()) thread.join();
  }
  [[nodiscard]] std::vector<order_outcome> outcomes() const {
    std::lock_guard lock(mutex_);
    return outcomes_;
  }
  /// The first order first sent at or after `since` that was answered 201, if one was.
  [[nodiscard]] std::optional<order_outcome> first_write_since(steady::time_point since) const {
    std::lock_guard lock(mutex_);
    std::optional<order_outcome> first;
    for (const auto& outcome : outcomes_)
      if (outcome.status == 201 && outcome.first_sent >= since && (!first || outcome.answered < first->answered))
        first = outcome;
    return first;
  }

 private:
  void client(int t) {
    const auto port = given_.ports[static_cast<std::size_t>(t % replica_count)];
    https_client paid(port, given_.paid_key);
    https_client free(port, given_.free_key);
    for (auto client : {&paid, &free}) client->timeout_set(150s);
    for (std::size_t n = 0; !stopping_; ++n) {
      order_outcome outcome;
      const bool is_free = n % 5 == 4;
      const auto next_free = is_free ? free_taken_++ : 0;
      if (is_free && next_free >= given_.free_customers.size()) continue;
      outcome.kind = is_free ? "free" : "paid";
      const license_request request{is_free ? given_.free_customers[next_free] : given_.paid_customers[static_cast<std::size_t>(t)],
                                    given_.product, outcome.kind};
      const header_list key{{"Idempotency-Key", "failover-" + std::to_string(t) + "-" + std::to_string(n)}};
      outcome.first_sent = steady::now();
      // The last order of a client goes on until answered, however long the outage: otherwise
      // its outcome would stay unknown and the recount could not be exact.
      for (;;) {
        ++outcome.attempts;
        outcome.sent = steady::now();
        response reply;
        try {
          reply = license_issue_try(is_free ? free : paid, request, key);
        } catch (const std::exception&) {
          reply.status = 0;  // no answer: the connection broke or timed out
        }
        outcome.answered = steady::now();
        if (reply.status != 0 && reply.status < 500) {
          outcome.status = reply.status;
          outcome.error = reply.error_code();
          if (reply.status == 201) outcome.license_id = reply.json.at("id").get<std::string>();
          break;
        }
        std::this_thread::sleep_for(200ms);
      }
      std::lock_guard lock(mutex_);
      outcomes_.push_back(std::move(outcome));
    }
  }

  const setup given_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> free_taken_{0};
  mutable std::mutex mutex_;
  std::vector<order_outcome> outcomes_;
  std::vector<std::thread> threads_;
};

double seconds(steady::duration d) { return std::chrono::duration<double>(d).count(); }

// Waits until `done` holds or `patience` passed; returns whether it held.
template <typename Condition>
bool wait_until(Condition done, std::chrono::seconds patience) {
  const auto deadline = steady::now() + patience;
  while (!done()) {
    if (steady::now() > deadline) return false;
    std::this_thread::sleep_for(200ms);
  }
  return true;
}

}  // namespace

TEST_CASE("failover: the primary PostgreSQL is killed under load; Patroni promotes the standby, nothing acknowledged is lost") {
  const char* asked = std::getenv("LICENSOR_FAILOVERS");
  const int failovers = asked != nullptr ? std::max(1, std::atoi(asked)) : 1;
  patroni_pair pair;
  MESSAGE("store: " << pair.uri);
  std::vector<std::unique_ptr<licensord_process>> servers;
  servers.push_back(std::make_unique<licensord_process>(std::vector<std::string>{"--store", pair.uri}));
  const auto keys = (servers.front()->data_dir() / "keys").string();
  for (int i = 1; i < replica_count; ++i)
    servers.push_back(std::make_unique<licensord_process>(std::vector<std::string>{"--store", pair.uri, "--key-dir", keys}));
  auto as_operator = https_client(servers.front()->port(), servers.back()->operator_token());

  load::setup given;
  for (const auto& server : servers) given.ports.push_back(server->port());
  given.product = product_create(as_operator);
  const auto gold = partner_create(as_operator, partner_spec().with_level("gold"));
  const auto bronze = partner_create(as_operator, partner_spec().with_level("bronze"));
  given.paid_key = gold.api_key;
  given.free_key = bronze.api_key;
  auto as_gold = https_client(servers.front()->port(), gold.api_key);
  auto as_bronze = https_client(servers.front()->port(), bronze.api_key);
  for (int t = 0; t < client_count; ++t) given.paid_customers.push_back(customer_fresh(as_gold)["id"].get<std::string>());
  for (int c = 0; c < 60; ++c) given.free_customers.push_back(customer_fresh(as_bronze)["id"].get<std::string>());

  load issuing(given);
  std::this_thread::sleep_for(3s);
  for (int f = 1; f <= failovers; ++f) {
    const int killed = pair.primary();
    REQUIRE(killed != 0);
    const int standby = 3 - killed;
    const auto before = issuing.outcomes().size();
    pair.kill(killed);
    const auto kill_at = steady::now();  // once every process of the node is gone
    REQUIRE(wait_until([&] { return pair.primary() == standby; }, 120s));
    const auto promoted_at = steady::now();
    pair.start(killed);  // the machine comes back: Patroni makes it the new primary's standby
    REQUIRE(wait_until([&] { return issuing.first_write_since(kill_at).has_value(); }, 180s));
    const auto first = *issuing.first_write_since(kill_at);
    const auto rto = seconds(first.answered - kill_at);
    MESSAGE("failover " << f << ": node " << killed << " killed; node " << standby << " promoted after "
                        << seconds(promoted_at - kill_at) << " s; first successful write after " << rto
                        << " s (RTO); orders answered before the kill: " << before);
    std::printf("failover %d: promoted after %.1f s, RTO %.1f s\n", f, seconds(promoted_at - kill_at), rto);
    std::this_thread::sleep_for(5s);  // writes go on with the new pair
  }
  issuing.finish();

  const auto outcomes = issuing.outcomes();
  std::set<std::string> answered_paid, answered_free;
  std::size_t refused_cap = 0, retried = 0;
  for (const auto& outcome : outcomes) {
    retried += outcome.attempts > 1;
    if (outcome.status == 201) (outcome.kind == "free" ? answered_free : answered_paid).insert(outcome.license_id);
    else if (outcome.status == 422 && outcome.error == "partner_cap_reached") ++refused_cap;
    else FAIL_CHECK("unexpected answer " << outcome.status << " " << outcome.error << " to a " << outcome.kind << " order");
  }
  MESSAGE(outcomes.size() << " orders answered (" << retried << " after more than one attempt): " << answered_paid.size()
                          << " paid and " << answered_free.size() << " free licenses issued, " << refused_cap
                          << " free refused at the cap");
  CHECK(answered_free.size() == 5);  // Bronze

  // Nothing acknowledged is lost, and nothing else was issued: the listing of each partner on
  // every replica is exactly what was answered 201; the cap's counter equals the recount.
  for (const auto& server : servers) {
    auto gold_here = server->client(gold.api_key);
    auto bronze_here = server->client(bronze.api_key);
    std::set<std::string> listed_paid, listed_free;
    for (const auto& license : listing_all(gold_here, "/v1/licenses")) listed_paid.insert(license.at("id").get<std::string>());
    for (const auto& license : listing_all(bronze_here, "/v1/licenses")) listed_free.insert(license.at("id").get<std::string>());
    CHECK(listed_paid == answered_paid);
    CHECK(listed_free == answered_free);
    CHECK(free_used(bronze_here) == 5);
  }
}
