// The server benchmark. From one run it prints, as medians (min-max) over several repetitions:
//  - issuance: POST /v1/licenses per second over HTTPS keep-alive, against two limits measured
//    here: min(signing, batched durable LMDB commits), and the combined limit
//    L = 1 / (1/trivial + 1/sign-and-verify): every issuance is also an HTTPS request (what the
//    trivial responder costs) and a signature plus its check, on the same cores;
//  - issuance with one webhook endpoint registered and delivering (to a receiver on loopback in
//    this process), against the mean of the issuance runs just before and just after it in the
//    same repetition, and how long after the load ends the last of its events arrives (the
//    delivery lag it had built);
//  - validation: POST /v1/validate per second against a trivial responder on the same stack, as
//    the ratio of the two medians and as the median of each repetition's ratio (its validation
//    run and the trivial run just after it);
//  - a mixed load (issue, activate, validate in turn) with its error count;
//  - a license read (GET /v1/licenses/{id}) by a partner's API key and by a signed-in partner
//    person's session cookie: a session costs what a key costs (one store read), so the two
//    should be within a few percent; a password is hashed only at sign-in;
//  - p50, p99 and p99.9 latency of each, and licensord's peak memory;
//  - the CPU time each run cost the server and the load generator per request (from /proc), which
//    the machine's other load moves far less than throughput: issuance's is split into signing
//    and its check, an HTTPS answer (the trivial responder's) and the rest, beside what 0.6 L
//    leaves per license; validation's is set against the trivial responder's.
// Usage: server_bench BUILD_DIR [seconds per run] [repetitions] [clients]
#include <sodium.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <thread>

#include "bench_support.hpp"
#include "child_process.hpp"
#include "licensor/claims.hpp"
#include "licensor/paseto.hpp"
#include "licensor/signed_document.hpp"
#include "store/lmdb/lmdb.hpp"
#include "support/webhook_receiver.hpp"

namespace {

using namespace licensor;
using namespace licensor::bench;
using clock_type = std::chrono::steady_clock;

license_claims sample_claims(std::uint64_t i) {
  license_claims claims;
  claims.iss = "licensor";
  claims.sub = "lic_" + std::to_string(i);
  claims.iat = claims.nbf = 1'795'000'000;
  claims.product = "editor";
  claims.tier = "pro";
  claims.email = "customer" + std::to_string(i) + "@example.com";
  return claims;
}

// How many times per second `work(i)` runs with one thread per core, as the server's workers do.
template <class Work>
double rate_on_every_core(std::chrono::milliseconds duration, Work work) {
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::uint64_t> counts(threads);
  std::vector<std::thread> workers;
  const auto begin = clock_type::now();
  for (unsigned t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      while (clock_type::now() - begin < duration) work(counts[t]++);
    });
  for (auto& worker : workers) worker.join();
  std::uint64_t total = 0;
  for (const auto count : counts) total += count;
  return static_cast<double>(total) / std::chrono::duration<double>(clock_type::now() - begin).count();
}

// Licenses signed per second using every core.
double sign_rate(std::chrono::milliseconds duration) {
  const auto key = SecretKey::generate();
  return rate_on_every_core(duration, [&](std::uint64_t i) { (void)license_token_sign(sample_claims(i), key); });
}

// Licenses signed and then verified (as the server checks every fresh token) per second, on every core.
double sign_verify_rate(std::chrono::milliseconds duration) {
  const auto key = SecretKey::generate();
  const auto public_key = key.public_key();
  return rate_on_every_core(duration, [&](std::uint64_t i) {
    if (!paseto_verify(license_token_sign(sample_claims(i), key), public_key, license_assertion)) std::abort();
  });
}

// License-sized records per second in durable LMDB commits of `batch` records each.
double commit_rate(const std::filesystem::path& dir, std::size_t batch, std::chrono::milliseconds duration) {
  std::filesystem::create_directories(dir);
  auto env = store::lmdb_env::open(dir, {"licenses"}, std::size_t{4} << 30, /*durable=*/true);
  if (!env) return 0;
  const std::string record(900, 'x');  // about the size of a stored license with its token
  std::uint64_t written = 0;
  const auto begin = clock_type::now();
  while (clock_type::now() - begin < duration) {
    auto write = (*env)->begin_write();
    for (std::size_t i = 0; i < batch; ++i) (void)write->put("licenses", "lic_" + std::to_string(written++), record);
    (void)write->commit();
  }
  return static_cast<double>(written) / std::chrono::duration<double>(clock_type::now() - begin).count();
}

// One load run, and the CPU time each side spent on one request of it: the server process, and
// this process (the load generator's threads, and the webhook receiver when one listens). The
// server's time runs on until the machine is idle again, so that what the run left to do in the
// background (the checkpoint that syncs the pages issuance wrote) is charged to it, not to the run
// after it, which also starts on idle cores. `on_load_end` runs as the load ends, before the wait.
struct costed_run {
  load_result result;
  double server_cpu_us = 0, client_cpu_us = 0;
};

costed_run load_run_costed(const child_process& server, unsigned short port, const load_options& load,
                           const request_source& next, const std::function<void(const load_result&)>& on_load_end = {}) {
  const auto server_before = cpu_seconds(server.pid());
  const auto client_before = cpu_seconds_self();
  costed_run run{load_run(port, load, next)};
  if (on_load_end) on_load_end(run.result);
  const auto client_after = cpu_seconds_self();
  wait_until_idle();
  const auto requests = static_cast<double>(run.result.completed);
  run.server_cpu_us = per_request_us(cpu_seconds(server.pid()) - server_before, requests);
  run.client_cpu_us = per_request_us(client_after - client_before, requests);
  return run;
}

struct figures {
  std::vector<double> per_second, p50, p99, p999, server_cpu_us, client_cpu_us;
  std::uint64_t failed = 0;
  void add(const costed_run& run) {
    const auto& result = run.result;
    per_second.push_back(result.per_second());
    p50.push_back(result.percentile_us(50));
    p99.push_back(result.percentile_us(99));
    p999.push_back(result.percentile_us(99.9));
    server_cpu_us.push_back(run.server_cpu_us);
    client_cpu_us.push_back(run.client_cpu_us);
    failed += result.failed;
  }
  [[nodiscard]] double server_cpu() const { return spread_of(server_cpu_us).median; }
  [[nodiscard]] nlohmann::json json() const {
    return {{"per_s", spread_json(spread_of(per_second))}, {"p50_us", spread_json(spread_of(p50))},
            {"p99_us", spread_json(spread_of(p99))}, {"p999_us", spread_json(spread_of(p999))}, {"failed", failed},
            {"server_cpu_us", spread_json(spread_of(server_cpu_us))}, {"client_cpu_us", spread_json(spread_of(client_cpu_us))}};
  }
};

// The CPU line follows unless `with_cpu` is false (a run printed a second time against another limit).
void print(const char* name, const figures& f, double limit, const char* limit_name, bool with_cpu = true) {
  const auto rate = spread_of(f.per_second);
  std::printf("%-9s %8.0f req/s (%.0f-%.0f)  p50 %6.0f us  p99 %6.0f us  p99.9 %6.0f us  errors %llu", name, rate.median,
              rate.min, rate.max, spread_of(f.p50).median, spread_of(f.p99).median, spread_of(f.p999).median,
              static_cast<unsigned long long>(f.failed));
  if (limit > 0) std::printf("   %s %.0f/s, ratio %.2f", limit_name, limit, rate.median / limit);
  std::printf("\n");
  if (with_cpu)
    std::printf("   CPU per request: server %.1f us (%.1f-%.1f), load generator %.1f us\n", f.server_cpu(),
                spread_of(f.server_cpu_us).min, spread_of(f.server_cpu_us).max, spread_of(f.client_cpu_us).median);
}

struct issued_license {
  std::string id, token, activation_key, email;
};

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0 || argc < 2) {
    std::fprintf(stderr, "usage: server_bench BUILD_DIR [seconds] [repetitions] [clients]\n");
    return 2;
  }
  const std::string build = argv[1];
  const auto duration = std::chrono::milliseconds(static_cast<int>(1000 * (argc > 2 ? std::stod(argv[2]) : 3.0)));
  const int reps = argc > 3 ? std::stoi(argv[3]) : 5;
  const load_options load{argc > 4 ? static_cast<unsigned>(std::stoi(argv[4])) : 64u, duration};
  const auto scratch = std::filesystem::temp_directory_path() / ("licensor-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(scratch);

  const std::string operator_auth = std::string("Bearer ") + bench_operator_token;
  child_process server(licensord_bench_args(build, (scratch / "data").string()), {std::string("LICENSOR_OPERATOR_TOKEN=") + bench_operator_token});
  child_process trivial({build + "/bench/server/trivial_responder", (scratch / "trivial").string()}, {});

  // A Titanium partner, a product and one customer (with one license) per client.
  const auto port = server.port();
  const auto partner = request_field(port, {"POST", "/v1/partners", R"({"name":"Bench","level":"titanium","can_issue":true})", operator_auth});
  const auto partner_auth = "Bearer " + request_field(port, {"POST", "/v1/partners/" + partner + "/api-keys", "", operator_auth}, "api_key");
  (void)request_field(port, {"POST", "/v1/products", R"({"id":"editor","tiers":["basic","pro"]})", operator_auth});
  std::vector<std::string> issue_bodies;
  std::vector<issued_license> licenses;
  for (unsigned i = 0; i < load.clients; ++i) {
    const auto email = "bench" + std::to_string(i) + "@example.com";
    const auto customer = request_field(port, {"POST", "/v1/customers", R"({"email":")" + email + R"("})", partner_auth});
    issue_bodies.push_back(R"({"customer_id":")" + customer + R"(","product":"editor","tier":"pro","kind":"paid","term_days":365})");
    const auto reply = nlohmann::json::parse(load_once(port, {"POST", "/v1/licenses", issue_bodies.back(), partner_auth}).body);
    licenses.push_back({reply["id"], reply["token"], reply["activation_key"], email});
  }
  // One of the partner's staff, signed in: its session cookie reads what the API key reads.
  const std::string staff = R"({"email":"staff@bench.example","password":"a bench password"})";
  const auto invitation = nlohmann::json::parse(load_once(port, {"POST", "/v1/users",
      R"({"email":"staff@bench.example","role":"admin_agent","partner_id":")" + partner + R"("})", operator_auth}).body);
  (void)request_field(port, {"POST", "/v1/invitations/accept",
      nlohmann::json{{"token", invitation["invitation"]["token"]}, {"password", "a bench password"}}.dump(), ""});
  const auto session_cookie = load_once(port, {"POST", "/v1/sessions", staff, ""}).set_cookie;
  if (session_cookie.empty()) throw std::runtime_error("the bench person could not sign in");
  const auto read_by_key = [&](unsigned c) { return load_request{"GET", "/v1/licenses/" + licenses[c].id, "", partner_auth}; };
  const auto read_by_cookie = [&](unsigned c) { return load_request{"GET", "/v1/licenses/" + licenses[c].id, "", "", session_cookie}; };
  const auto issue = [&](unsigned c) { return load_request{"POST", "/v1/licenses", issue_bodies[c], partner_auth}; };
  const auto validate = [&](unsigned c) { return load_request{"POST", "/v1/validate", R"({"token":")" + licenses[c].token + R"("})", ""}; };
  const auto activate = [&](unsigned c) {
    return load_request{"POST", "/v1/activate", R"({"activation_key":")" + licenses[c].activation_key + R"(","email":")" + licenses[c].email + R"("})", ""};
  };

  // Issuance with a webhook endpoint: a fresh one per repetition (it hears events from its
  // creation on), deleted after, so the other runs deliver nothing.
  testing::webhook_receiver receiver({}, testing::webhook_receiver::keeping::count_only);
  std::vector<double> hooked_ratios, drain_seconds;
  // Validation against the trivial responder run just after it, per repetition: the pair shares
  // the machine's moment, where the ratio of the two medians mixes repetitions.
  std::vector<double> validate_ratios;
  const auto issue_hooked = [&](figures& into) {
    const auto endpoint = request_field(port, {"POST", "/v1/webhook-endpoints",
                                               nlohmann::json{{"url", receiver.url()}, {"event_types", {"license.issued"}}}.dump(),
                                               operator_auth});
    const auto before = receiver.wait_for(0, std::chrono::milliseconds(0));
    const auto run = load_run_costed(server, port, load, [&](unsigned c, std::uint64_t) { return std::optional(issue(c)); },
                                     [&](const load_result& result) {
      const auto ended = clock_type::now();
      const auto expected = before + result.completed;
      if (receiver.wait_for(expected, std::chrono::minutes(5)) < expected)
        throw std::runtime_error("the webhook receiver did not get every issuance's event");
      drain_seconds.push_back(std::chrono::duration<double>(clock_type::now() - ended).count());
    });
    (void)load_once(port, {"DELETE", "/v1/webhook-endpoints/" + endpoint, "", operator_auth});
    into.add(run);
    return run.result.per_second();
  };

  std::vector<double> sign_rates, sign_verify_rates, commit_rates;
  figures issued, issued_hooked, validated, trivially, mixed, read_key, read_cookie;
  wait_until_idle();
  for (int rep = 0; rep < reps; ++rep) {
    std::fprintf(stderr, "server_bench: repetition %d/%d\n", rep + 1, reps);
    sign_rates.push_back(sign_rate(duration / 3));
    sign_verify_rates.push_back(sign_verify_rate(duration / 3));
    commit_rates.push_back(commit_rate(scratch / ("commit-" + std::to_string(rep)), load.clients, duration / 3));
    // Issuance slows as the store grows (each run adds thousands of licenses at random keys), so
    // the run with a webhook is judged against the mean of the runs just before and just after it.
    const auto plain_before = load_run_costed(server, port, load, [&](unsigned c, std::uint64_t) { return std::optional(issue(c)); });
    const auto hooked_rate = issue_hooked(issued_hooked);
    const auto plain_after = load_run_costed(server, port, load, [&](unsigned c, std::uint64_t) { return std::optional(issue(c)); });
    issued.add(plain_before);
    issued.add(plain_after);
    hooked_ratios.push_back(hooked_rate / ((plain_before.result.per_second() + plain_after.result.per_second()) / 2));
    validated.add(load_run_costed(server, port, load, [&](unsigned c, std::uint64_t) { return std::optional(validate(c)); }));
    trivially.add(load_run_costed(trivial, trivial.port(), load, [&](unsigned c, std::uint64_t) { return std::optional(validate(c)); }));
    validate_ratios.push_back(validated.per_second.back() / trivially.per_second.back());
    mixed.add(load_run_costed(server, port, load, [&](unsigned c, std::uint64_t i) {
      return std::optional(i % 3 == 0 ? issue(c) : i % 3 == 1 ? activate(c) : validate(c));
    }));
    read_key.add(load_run_costed(server, port, load, [&](unsigned c, std::uint64_t) { return std::optional(read_by_key(c)); }));
    read_cookie.add(load_run_costed(server, port, load, [&](unsigned c, std::uint64_t) { return std::optional(read_by_cookie(c)); }));
  }
  const long peak_kib = peak_rss_kib(server.pid());
  std::filesystem::remove_all(scratch);

  const auto sign_limit = spread_of(sign_rates);
  const auto commit_limit = spread_of(commit_rates);
  const double issue_limit = std::min(sign_limit.median, commit_limit.median);
  const double trivial_rate = spread_of(trivially.per_second).median;
  const auto sign_verify_limit = spread_of(sign_verify_rates);
  const double combined_limit = 1.0 / (1.0 / trivial_rate + 1.0 / sign_verify_limit.median);
  std::printf("limits: sign %.0f/s on %u cores; durable LMDB %.0f records/s in batches of %u\n", sign_limit.median,
              std::max(1u, std::thread::hardware_concurrency()), commit_limit.median, load.clients);
  std::printf("limits: sign+verify %.0f/s; combined L = 1/(1/trivial + 1/sign+verify) = %.0f/s\n",
              sign_verify_limit.median, combined_limit);
  print("issue", issued, issue_limit, "limit", /*with_cpu=*/false);
  print("issue", issued, combined_limit, "L");
  // Where an issuance's CPU goes, against what the target leaves: at 0.6 L the cores give each
  // license cores / (0.6 L) of CPU, which licensord and the load generator share.
  const double sign_verify_cpu_us = cpu_per_request_at_us(sign_verify_limit.median);
  const double answer_cpu_us = trivially.server_cpu();
  const double budget_cpu_us = cpu_per_request_at_us(0.6 * combined_limit);
  std::printf("   CPU per license: licensord %.1f us = signing and its check %.1f us + an HTTPS answer (the trivial "
              "responder's) %.1f us + the rest %.1f us; at 0.6 L licensord and the load generator may spend %.1f us in all\n",
              issued.server_cpu(), sign_verify_cpu_us, answer_cpu_us, issued.server_cpu() - sign_verify_cpu_us - answer_cpu_us,
              budget_cpu_us);
  const auto hooked = spread_of(hooked_ratios);
  const auto drain = spread_of(drain_seconds);
  // Its ratio is the per-repetition one below: runs of different repetitions ran on stores of different sizes.
  print("issue+webhook", issued_hooked, 0, "");
  std::printf("   webhook: issuance with an endpoint / without (mean of the runs before and after), per repetition: median %.2f (%.2f-%.2f); "
              "last event arrived %.2f s (%.2f-%.2f) after the load ended\n",
              hooked.median, hooked.min, hooked.max, drain.median, drain.min, drain.max);
  print("validate", validated, trivial_rate, "trivial");
  const auto validate_paired = spread_of(validate_ratios);
  std::printf("   validate / trivial, the two runs of each repetition: median %.2f (%.2f-%.2f)\n", validate_paired.median,
              validate_paired.min, validate_paired.max);
  print("trivial", trivially, 0, "");
  std::printf("   validate / trivial in CPU per request of the server: %.2f\n", answer_cpu_us / validated.server_cpu());
  print("mixed", mixed, 0, "");
  const double read_key_rate = spread_of(read_key.per_second).median;
  print("read/key", read_key, 0, "");
  print("read/cookie", read_cookie, read_key_rate, "read/key");
  std::printf("licensord peak memory: %.1f MiB\n", static_cast<double>(peak_kib) / 1024.0);
  const nlohmann::json summary{
      {"bench", "server"}, {"clients", load.clients}, {"repetitions", reps}, {"seconds_per_run", duration.count() / 1000.0},
      {"sign_per_s", spread_json(sign_limit)}, {"commit_records_per_s", spread_json(commit_limit)},
      {"issue_limit_per_s", issue_limit}, {"issue", issued.json()}, {"validate", validated.json()},
      {"trivial", trivially.json()}, {"mixed", mixed.json()},
      {"issue_ratio", spread_of(issued.per_second).median / issue_limit},
      {"issue_webhook", issued_hooked.json()}, {"issue_webhook_ratio", spread_json(hooked)},
      {"webhook_drain_seconds", spread_json(drain)},
      {"sign_verify_per_s", spread_json(sign_verify_limit)}, {"issue_combined_limit_per_s", combined_limit},
      {"issue_ratio_combined", spread_of(issued.per_second).median / combined_limit},
      {"validate_ratio", spread_of(validated.per_second).median / trivial_rate},
      {"validate_ratio_paired", spread_json(validate_paired)},
      {"validate_cpu_ratio", answer_cpu_us / validated.server_cpu()}, {"sign_verify_cpu_us", sign_verify_cpu_us},
      {"issue_cpu_budget_us", budget_cpu_us},
      {"read_api_key", read_key.json()}, {"read_cookie", read_cookie.json()},
      {"read_cookie_ratio", spread_of(read_cookie.per_second).median / read_key_rate}, {"peak_rss_kib", peak_kib}};
  std::printf("%s\n", summary.dump().c_str());
  return issued.failed + issued_hooked.failed + validated.failed + trivially.failed + mixed.failed + read_key.failed + read_cookie.failed == 0 ? 0 : 1;
}
