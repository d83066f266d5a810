// The PostgreSQL benchmark. From one run it prints, as medians (min-max) over repetitions:
//  - the limit: what that PostgreSQL itself does, single-row durable INSERT transactions per
//    second from the same number of clients (pgbench with a one-line script);
//  - durable issuance (POST /v1/licenses) and validation (POST /v1/validate) through one licensord
//    replica on it, and through three replicas on one database with the clients spread evenly,
//    each next to the limit;
//  - the CPU time per request of licensord, of PostgreSQL (its whole process tree) and of the
//    client (from /proc), for every run and for the limit's, and what 0.5 of the limit leaves
//    per license on these cores.
// LMDB's figures for the same requests are server_bench's, from the same scripts/bench run.
// The cluster is a throwaway one (tests/pg_cluster, durable: fsync on, synchronous_commit on)
// on a Unix socket, on the same cores as licensord and the load.
// Usage: pg_bench BUILD_DIR PG_CLUSTER [seconds per run] [repetitions] [clients]
#include <sodium.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <stdexcept>
#include <thread>

#include "bench_support.hpp"
#include "child_process.hpp"
#include "support/command_output.hpp"

namespace {

using namespace licensor;
using namespace licensor::bench;

constexpr int replica_count = 3;

// A throwaway cluster that keeps its commits (fsync on): started here, stopped at the end.
struct durable_cluster {
  std::string script;
  std::filesystem::path dir;
  std::string socket_dir;

  explicit durable_cluster(std::string cluster_script) : script(std::move(cluster_script)) {
    dir = "/tmp/licensor-pgbench-" + std::to_string(::getpid());  // the postgres user must reach it
    (void)testing::command_output("LICENSOR_PG_DURABLE=1 " + script + " start " + dir.string());
    socket_dir = dir.string();
  }
  ~durable_cluster() {
    (void)std::system((script + " stop " + dir.string() + " >/dev/null 2>&1").c_str());
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  durable_cluster(const durable_cluster&) = delete;
  durable_cluster& operator=(const durable_cluster&) = delete;

  // The postmaster, whose process tree is all of this PostgreSQL's CPU time.
  [[nodiscard]] pid_t postmaster() const {
    std::ifstream pid_file(dir / "data" / "postmaster.pid");
    long pid = 0;
    if (!(pid_file >> pid)) throw std::runtime_error("no postmaster.pid in " + dir.string());
    return static_cast<pid_t>(pid);
  }
  [[nodiscard]] std::string conninfo(const std::string& database) const {
    return "host=" + socket_dir + " dbname=" + database + " user=licensor";
  }
  void sql(const std::string& database, const std::string& statement) const {
    (void)testing::command_output("psql -q -v ON_ERROR_STOP=1 '" + conninfo(database) + "' -c \"" + statement + "\"");
  }
};

// CPU time per request of one run, in microseconds: licensord's replicas, PostgreSQL (its
// whole process tree), and the client (the load generator, or pgbench).
struct cpu_costs {
  double licensord_us = 0, postgresql_us = 0, client_us = 0;
};

// Single-row INSERT transactions per second from `clients` connections, each committed
// durably: the most any store job that writes a row could do on this PostgreSQL.
struct insert_run {
  double per_second = 0;
  cpu_costs cpu;  // per transaction; PostgreSQL's includes starting pgbench's connections
};
insert_run insert_limit(const durable_cluster& cluster, const std::filesystem::path& scratch, unsigned clients, double seconds) {
  const auto script = scratch / "insert.sql";
  std::ofstream(script) << "INSERT INTO probe (v) VALUES (1);\n";
  const auto postgresql_before = cpu_seconds_tree(cluster.postmaster());
  const auto client_before = cpu_seconds_children();
  const auto out = testing::command_output("pgbench -n -c " + std::to_string(clients) + " -j 2 -T " + std::to_string(std::max(1, static_cast<int>(seconds))) +
                       " -f " + script.string() + " '" + cluster.conninfo("limit_probe") + "' 2>&1");
  wait_until_idle();  // PostgreSQL's deferred work (the WAL writer, autovacuum) is the run's too
  const auto postgresql_seconds = cpu_seconds_tree(cluster.postmaster()) - postgresql_before;
  const auto client_seconds = cpu_seconds_children() - client_before;
  std::smatch rate, count;
  if (!std::regex_search(out, rate, std::regex(R"(tps = ([0-9.]+) \(without initial connection time\))")) ||
      !std::regex_search(out, count, std::regex(R"(number of transactions actually processed: ([0-9]+))")))
    throw std::runtime_error("pgbench said: " + out);
  const auto transactions = std::stod(count[1]);
  return {std::stod(rate[1]), {0, per_request_us(postgresql_seconds, transactions), per_request_us(client_seconds, transactions)}};
}

struct figures {
  std::vector<double> per_second, p50, p99, licensord_cpu_us, postgresql_cpu_us, client_cpu_us;
  std::uint64_t failed = 0;
  void add(double rate, double p50_us, double p99_us, std::uint64_t errors, const cpu_costs& cpu) {
    per_second.push_back(rate);
    p50.push_back(p50_us);
    p99.push_back(p99_us);
    licensord_cpu_us.push_back(cpu.licensord_us);
    postgresql_cpu_us.push_back(cpu.postgresql_us);
    client_cpu_us.push_back(cpu.client_us);
    failed += errors;
  }
  void add(const load_result& result, const cpu_costs& cpu) {
    add(result.per_second(), result.percentile_us(50), result.percentile_us(99), result.failed, cpu);
  }
  [[nodiscard]] cpu_costs cpu() const {
    return {spread_of(licensord_cpu_us).median, spread_of(postgresql_cpu_us).median, spread_of(client_cpu_us).median};
  }
  [[nodiscard]] nlohmann::json json() const {
    return {{"per_s", spread_json(spread_of(per_second))}, {"p50_us", spread_json(spread_of(p50))},
            {"p99_us", spread_json(spread_of(p99))}, {"failed", failed},
            {"cpu_us", {{"licensord", spread_json(spread_of(licensord_cpu_us))},
                        {"postgresql", spread_json(spread_of(postgresql_cpu_us))},
                        {"client", spread_json(spread_of(client_cpu_us))}}}};
  }
};

// Replicas of licensord on one database, set up for issuance and validation: a Titanium
// partner, a product, and per client a customer (its issue body) and one license (its token).
class replica_set {
 public:
  replica_set(const std::string& build, const std::filesystem::path& scratch, const std::string& store, int count, unsigned clients) {
    const std::vector<std::string> token{std::string("LICENSOR_OPERATOR_TOKEN=") + bench_operator_token};
    for (int i = 0; i < count; ++i) {
      auto args = licensord_bench_args(build, (scratch / ("replica-" + std::to_string(i))).string());
      args.insert(args.end(), {"--store", store});
      if (i > 0) args.insert(args.end(), {"--key-dir", (scratch / "replica-0" / "keys").string()});
      servers_.push_back(std::make_unique<child_process>(args, token));
    }
    const auto port = servers_.front()->port();
    const std::string operator_auth = std::string("Bearer ") + bench_operator_token;
    const auto partner = request_field(port, {"POST", "/v1/partners", R"({"name":"Bench","level":"titanium","can_issue":true})", operator_auth});
    partner_auth_ = "Bearer " + request_field(port, {"POST", "/v1/partners/" + partner + "/api-keys", "", operator_auth}, "api_key");
    (void)request_field(port, {"POST", "/v1/products", R"({"id":"editor","tiers":["basic","pro"]})", operator_auth});
    for (unsigned c = 0; c < clients; ++c) {
      const auto customer = request_field(port, {"POST", "/v1/customers", R"({"email":"bench)" + std::to_string(c) + R"(@example.com"})", partner_auth_});
      issue_bodies_.push_back(R"({"customer_id":")" + customer + R"(","product":"editor","tier":"pro","kind":"paid","term_days":365})");
      tokens_.push_back(request_field(port, {"POST", "/v1/licenses", issue_bodies_.back(), partner_auth_}, "token"));
    }
  }

  [[nodiscard]] load_request issue(unsigned c) const { return {"POST", "/v1/licenses", issue_bodies_[c], partner_auth_}; }
  [[nodiscard]] load_request validate(unsigned c) const {
    return {"POST", "/v1/validate", R"({"token":")" + tokens_[c] + R"("})", ""};
  }

  // Runs `clients` connections spread evenly over the replicas (each replica's share on a
  // thread of its own), `make(c)` giving client c's requests. Returns the combined figures.
  template <class Make>
  void load(const load_options& options, Make make, pid_t postmaster, figures& into) const {
    const auto licensord_cpu = [&] {
      double seconds = 0;
      for (const auto& server : servers_) seconds += cpu_seconds(server->pid());
      return seconds;
    };
    const auto licensord_before = licensord_cpu();
    const auto postgresql_before = cpu_seconds_tree(postmaster);
    const auto client_before = cpu_seconds_self();
    const auto count = static_cast<unsigned>(servers_.size());
    std::vector<load_result> results(count);
    std::vector<std::thread> threads;
    for (unsigned r = 0; r < count; ++r) {
      threads.emplace_back([&, r] {
        const unsigned first = options.clients * r / count, end = options.clients * (r + 1) / count;
        results[r] = load_run(servers_[r]->port(), {end - first, options.duration},
                              [&](unsigned c, std::uint64_t) { return std::optional(make(first + c)); });
      });
    }
    for (auto& thread : threads) thread.join();
    load_result all;
    for (const auto& result : results) {
      all.completed += result.completed;
      all.failed += result.failed;
      all.seconds = std::max(all.seconds, result.seconds);
      all.latencies_us.insert(all.latencies_us.end(), result.latencies_us.begin(), result.latencies_us.end());
    }
    const auto requests = static_cast<double>(all.completed);
    const auto client_seconds = cpu_seconds_self() - client_before;
    // What the run left to do in the background (PostgreSQL's WAL writer and autovacuum, the
    // replicas' jobs) is charged to it, and the next run starts on idle cores.
    wait_until_idle();
    into.add(all, {per_request_us(licensord_cpu() - licensord_before, requests),
                   per_request_us(cpu_seconds_tree(postmaster) - postgresql_before, requests),
                   per_request_us(client_seconds, requests)});
  }

 private:
  std::vector<std::unique_ptr<child_process>> servers_;
  std::string partner_auth_;
  std::vector<std::string> issue_bodies_;
  std::vector<std::string> tokens_;
};

void print(const char* name, const figures& f, double limit) {
  const auto rate = spread_of(f.per_second);
  std::printf("%-12s %8.0f req/s (%.0f-%.0f)  p50 %6.0f us  p99 %6.0f us  errors %llu", name, rate.median, rate.min,
              rate.max, spread_of(f.p50).median, spread_of(f.p99).median, static_cast<unsigned long long>(f.failed));
  if (limit > 0) std::printf("   limit %.0f/s, ratio %.2f", limit, rate.median / limit);
  const auto cpu = f.cpu();
  std::printf("\n   CPU per request: licensord %.1f us, PostgreSQL %.1f us, load generator %.1f us\n", cpu.licensord_us,
              cpu.postgresql_us, cpu.client_us);
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0 || argc < 3) {
    std::fprintf(stderr, "usage: pg_bench BUILD_DIR PG_CLUSTER [seconds] [repetitions] [clients]\n");
    return 2;
  }
  const std::string build = argv[1];
  const double seconds = argc > 3 ? std::stod(argv[3]) : 3.0;
  const int reps = argc > 4 ? std::stoi(argv[4]) : 5;
  const load_options load{argc > 5 ? static_cast<unsigned>(std::stoi(argv[5])) : 64u,
                          std::chrono::milliseconds(static_cast<int>(1000 * seconds))};
  const auto scratch = std::filesystem::temp_directory_path() / ("licensor-pg-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(scratch);

  durable_cluster cluster(argv[2]);
  for (const char* database : {"limit_probe", "one_replica", "three_replicas"}) cluster.sql("postgres", std::string("CREATE DATABASE ") + database);
  cluster.sql("limit_probe", "CREATE TABLE probe (id bigserial PRIMARY KEY, v integer)");
  const replica_set one(build, scratch / "one", cluster.conninfo("one_replica"), 1, load.clients);
  const replica_set three(build, scratch / "three", cluster.conninfo("three_replicas"), replica_count, load.clients);

  std::vector<double> limits, insert_postgresql_cpu_us, insert_client_cpu_us;
  figures issue_one, validate_one, issue_three, validate_three;
  const auto postmaster = cluster.postmaster();
  wait_until_idle();
  for (int rep = 0; rep < reps; ++rep) {
    std::fprintf(stderr, "pg_bench: repetition %d/%d\n", rep + 1, reps);
    const auto inserted = insert_limit(cluster, scratch, load.clients, seconds);
    limits.push_back(inserted.per_second);
    insert_postgresql_cpu_us.push_back(inserted.cpu.postgresql_us);
    insert_client_cpu_us.push_back(inserted.cpu.client_us);
    one.load(load, [&](unsigned c) { return one.issue(c); }, postmaster, issue_one);
    one.load(load, [&](unsigned c) { return one.validate(c); }, postmaster, validate_one);
    three.load(load, [&](unsigned c) { return three.issue(c); }, postmaster, issue_three);
    three.load(load, [&](unsigned c) { return three.validate(c); }, postmaster, validate_three);
  }
  std::filesystem::remove_all(scratch);

  const auto limit = spread_of(limits);
  const double insert_postgresql_cpu = spread_of(insert_postgresql_cpu_us).median;
  std::printf("limit: PostgreSQL %.0f single-row durable INSERT transactions/s (%.0f-%.0f) from %u clients (pgbench)\n",
              limit.median, limit.min, limit.max, load.clients);
  std::printf("   CPU per transaction: PostgreSQL %.1f us, pgbench %.1f us\n", insert_postgresql_cpu,
              spread_of(insert_client_cpu_us).median);
  print("issue x1", issue_one, limit.median);
  print("issue x3", issue_three, limit.median);
  // What the target leaves: the CPU the cores give each license at 0.5 of the limit, which
  // licensord, PostgreSQL and the load generator share.
  const double budget_cpu_us = cpu_per_request_at_us(0.5 * limit.median);
  const auto issued_cpu = issue_one.cpu();
  std::printf("   CPU per license (one replica): licensord %.1f us + PostgreSQL %.1f us (%.1f times an INSERT's) + load "
              "generator %.1f us = %.1f us; at 0.5 of the limit all three may spend %.1f us\n",
              issued_cpu.licensord_us, issued_cpu.postgresql_us, issued_cpu.postgresql_us / insert_postgresql_cpu,
              issued_cpu.client_us, issued_cpu.licensord_us + issued_cpu.postgresql_us + issued_cpu.client_us, budget_cpu_us);
  print("validate x1", validate_one, 0);
  print("validate x3", validate_three, 0);
  const nlohmann::json summary{
      {"bench", "postgresql"}, {"clients", load.clients}, {"repetitions", reps}, {"seconds_per_run", seconds},
      {"insert_limit_per_s", spread_json(limit)},
      {"insert_cpu_us", {{"postgresql", spread_json(spread_of(insert_postgresql_cpu_us))},
                         {"client", spread_json(spread_of(insert_client_cpu_us))}}},
      {"issue_cpu_budget_us", budget_cpu_us},
      {"issue_one_replica", issue_one.json()}, {"issue_three_replicas", issue_three.json()},
      {"validate_one_replica", validate_one.json()}, {"validate_three_replicas", validate_three.json()},
      {"issue_one_ratio", spread_of(issue_one.per_second).median / limit.median},
      {"issue_three_ratio", spread_of(issue_three.per_second).median / limit.median}};
  std::printf("%s\n", summary.dump().c_str());
  return issue_one.failed + issue_three.failed + validate_one.failed + validate_three.failed == 0 ? 0 : 1;
}
