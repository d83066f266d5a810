// The server benchmark. From one run it prints, as medians over several repetitions:
//  - issuance: POST /v1/licenses per second over HTTPS keep-alive with 64 clients, against the
//    limit measured here (Ed25519 signing on every core, and durable LMDB commits batched as
//    the server batches them: the slower of the two bounds issuance);
//  - validation: POST /v1/validate per second against a trivial responder on the same stack;
//  - p50 and p99 latency of each.
// Usage: server_bench BUILD_DIR [seconds per run] [repetitions] [clients]
#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "child_process.hpp"
#include "licensor/claims.hpp"
#include "load_generator.hpp"
#include "store/lmdb.hpp"

namespace {

using namespace licensor;
using namespace licensor::bench;
using clock_type = std::chrono::steady_clock;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

license_claims sample_claims(int i) {
  license_claims claims;
  claims.iss = "licensor";
  claims.sub = "lic_" + std::to_string(i);
  claims.iat = claims.nbf = 1'795'000'000;
  claims.product = "editor";
  claims.tier = "pro";
  claims.email = "customer" + std::to_string(i) + "@example.com";
  return claims;
}

// Licenses signed per second using every core, as the server's workers do.
double sign_rate(std::chrono::milliseconds duration) {
  const auto key = SecretKey::generate();
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::uint64_t> counts(threads);
  std::vector<std::thread> workers;
  const auto begin = clock_type::now();
  for (unsigned t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      while (clock_type::now() - begin < duration) {
        (void)license_token_sign(sample_claims(static_cast<int>(counts[t])), key);
        ++counts[t];
      }
    });
  for (auto& worker : workers) worker.join();
  const double seconds = std::chrono::duration<double>(clock_type::now() - begin).count();
  std::uint64_t total = 0;
  for (const auto count : counts) total += count;
  return static_cast<double>(total) / seconds;
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

std::string json_id(const load_reply& reply, const char* field = "id") {
  const auto body = nlohmann::json::parse(reply.body, nullptr, false);
  if (!body.is_object() || !body.contains(field)) throw std::runtime_error("setup failed: " + reply.body);
  return body[field].get<std::string>();
}

struct figures {
  std::vector<double> per_second, p50, p99;
  void add(const load_result& result) {
    per_second.push_back(result.per_second());
    p50.push_back(result.percentile_us(50));
    p99.push_back(result.percentile_us(99));
  }
};

void print(const char* name, const figures& f, double limit, const char* limit_name) {
  std::printf("%-10s %9.0f req/s (min %.0f, max %.0f)  p50 %7.0f us  p99 %7.0f us   %s %9.0f /s  ratio %.2f\n", name,
              median(f.per_second), *std::min_element(f.per_second.begin(), f.per_second.end()),
              *std::max_element(f.per_second.begin(), f.per_second.end()), median(f.p50), median(f.p99), limit_name,
              limit, median(f.per_second) / limit);
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0 || argc < 2) {
    std::fprintf(stderr, "usage: server_bench BUILD_DIR [seconds] [repetitions] [clients]\n");
    return 2;
  }
  const std::filesystem::path build = argv[1];
  const auto duration = std::chrono::milliseconds(static_cast<int>(1000 * (argc > 2 ? std::stod(argv[2]) : 3.0)));
  const int reps = argc > 3 ? std::stoi(argv[3]) : 5;
  const unsigned clients = argc > 4 ? static_cast<unsigned>(std::stoi(argv[4])) : 64;
  const auto scratch = std::filesystem::temp_directory_path() / ("licensor-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(scratch);

  const std::string operator_token = "bench-operator-token";
  const std::string operator_auth = "Bearer " + operator_token;
  child_process server({(build / "server/licensord").string(), "--listen", "127.0.0.1:0", "--data-dir",
                        (scratch / "data").string(), "--log-level", "warn"},
                       {"LICENSOR_OPERATOR_TOKEN=" + operator_token});
  child_process trivial({(build / "bench/server/trivial_responder").string(), (scratch / "trivial").string()}, {});

  // A Titanium partner, a product and one customer per client.
  const auto port = server.port();
  const auto partner = json_id(load_once(port, {"POST", "/v1/partners", R"({"name":"Bench","level":"titanium","can_issue":true})", operator_auth}));
  const auto api_key = json_id(load_once(port, {"POST", "/v1/partners/" + partner + "/api-keys", "", operator_auth}), "api_key");
  (void)load_once(port, {"POST", "/v1/products", R"({"id":"editor","tiers":["basic","pro"]})", operator_auth});
  const std::string partner_auth = "Bearer " + api_key;
  std::vector<std::string> issue_bodies, validate_bodies;
  for (unsigned i = 0; i < clients; ++i) {
    const auto customer = json_id(load_once(port, {"POST", "/v1/customers",
        R"({"email":"bench)" + std::to_string(i) + R"(@example.com"})", partner_auth}));
    issue_bodies.push_back(R"({"customer_id":")" + customer + R"(","product":"editor","tier":"pro","kind":"paid","term_days":365})");
    const auto token = json_id(load_once(port, {"POST", "/v1/licenses", issue_bodies.back(), partner_auth}), "token");
    validate_bodies.push_back(R"({"token":")" + token + R"("})");
  }

  std::vector<double> sign_rates, commit_rates;
  figures issue, validate, responder;
  std::uint64_t failures = 0;
  for (int rep = 0; rep < reps; ++rep) {
    std::fprintf(stderr, "repetition %d/%d\n", rep + 1, reps);
    sign_rates.push_back(sign_rate(duration / 3));
    commit_rates.push_back(commit_rate(scratch / ("commit-" + std::to_string(rep)), clients, duration / 3));
    auto issued = load_run(port, clients, duration, 201, [&](unsigned c, std::uint64_t) {
      return load_request{"POST", "/v1/licenses", issue_bodies[c], partner_auth};
    });
    auto validated = load_run(port, clients, duration, 200, [&](unsigned c, std::uint64_t) {
      return load_request{"POST", "/v1/validate", validate_bodies[c], ""};
    });
    auto trivially = load_run(trivial.port(), clients, duration, 200, [&](unsigned c, std::uint64_t) {
      return load_request{"POST", "/v1/validate", validate_bodies[c], ""};
    });
    failures += issued.failed + validated.failed + trivially.failed;
    issue.add(issued);
    validate.add(validated);
    responder.add(trivially);
  }
  std::filesystem::remove_all(scratch);

  const double sign_limit = median(sign_rates);
  const double commit_limit = median(commit_rates);
  const double issue_limit = std::min(sign_limit, commit_limit);
  std::printf("limits     sign %0.f/s on %u cores, durable LMDB %0.f records/s in batches of %u\n", sign_limit,
              std::max(1u, std::thread::hardware_concurrency()), commit_limit, clients);
  print("issue", issue, issue_limit, "limit");
  print("validate", validate, median(responder.per_second), "trivial");
  print("trivial", responder, median(responder.per_second), "trivial");
  std::printf("failed requests: %llu\n", static_cast<unsigned long long>(failures));
  const nlohmann::json summary{
      {"bench", "server"}, {"clients", clients}, {"repetitions", reps},
      {"issue_per_s", median(issue.per_second)}, {"issue_p50_us", median(issue.p50)}, {"issue_p99_us", median(issue.p99)},
      {"issue_limit_per_s", issue_limit}, {"sign_per_s", sign_limit}, {"commit_records_per_s", commit_limit},
      {"validate_per_s", median(validate.per_second)}, {"validate_p50_us", median(validate.p50)},
      {"validate_p99_us", median(validate.p99)}, {"trivial_per_s", median(responder.per_second)},
      {"validate_ratio", median(validate.per_second) / median(responder.per_second)},
      {"issue_ratio", median(issue.per_second) / issue_limit}, {"failed", failures}};
  std::printf("%s\n", summary.dump().c_str());
  return failures == 0 ? 0 : 1;
}
