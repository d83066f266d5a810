// The scale benchmark: loads licensord through its API with many licenses across many
// partners (default 1,000,000 across 1,000; one partner in ten customers is the first partner's,
// so it holds about a tenth of them), and reports the load time, the bytes per license on disk,
// lookup and validate latency at that size next to the same requests on an empty store, and the
// latency of listing pages (the portal's lists: plain, searched by prefix, filtered) for the
// operator (every license) and for the big partner, against the 100 ms a page may take.
// Progress is printed as it goes.
// Usage: scale_bench BUILD_DIR [licenses] [partners] [clients]
#include <sodium.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "bench_support.hpp"
#include "child_process.hpp"

namespace {

using namespace licensor::bench;
using clock_type = std::chrono::steady_clock;
constexpr std::uint64_t licenses_per_customer = 10;

struct partner_access {
  std::string id, auth;
};

// GET /v1/licenses/{id} and POST /v1/validate latency, 2 s each.
nlohmann::json latency_probe(unsigned short port, const std::string& operator_auth, const std::vector<std::string>& ids,
                             const std::vector<std::string>& tokens) {
  const load_options probe{16, std::chrono::milliseconds(2000)};
  std::mt19937_64 random(42);
  auto lookups = load_run(port, probe, [&](unsigned, std::uint64_t) {
    return std::optional(load_request{"GET", "/v1/licenses/" + ids[random() % ids.size()], "", operator_auth});
  });
  auto validations = load_run(port, probe, [&](unsigned c, std::uint64_t i) {
    return std::optional(load_request{"POST", "/v1/validate", R"({"token":")" + tokens[(c + i) % tokens.size()] + R"("})", ""});
  });
  auto view = [](const load_result& r) {
    return nlohmann::json{{"per_s", r.per_second()}, {"p50_us", r.percentile_us(50)}, {"p99_us", r.percentile_us(99)}, {"failed", r.failed}};
  };
  return {{"lookup", view(lookups)}, {"validate", view(validations)}};
}

// The partner of customer number `customer`: every tenth is the first partner's (a big one).
std::size_t owner_of(std::uint64_t customer, std::uint64_t partner_count) {
  return customer % 10 == 0 ? 0 : static_cast<std::size_t>(customer % partner_count);
}

// p50 and p99 of each listing page, requested by 4 clients for 1 s; `budget_ms` is the most a
// page may take.
nlohmann::json listing_probe(unsigned short port, const std::vector<std::pair<std::string, load_request>>& pages,
                             double budget_ms) {
  nlohmann::json out = nlohmann::json::object();
  const load_options probe{4, std::chrono::milliseconds(1000)};
  for (const auto& [name, request] : pages) {
    const auto result = load_run(port, probe, [&](unsigned, std::uint64_t) { return std::optional(request); });
    const double p50_ms = result.percentile_us(50) / 1000.0;
    out[name] = {{"p50_ms", p50_ms}, {"p99_ms", result.percentile_us(99) / 1000.0},
                 {"of_budget", p50_ms / budget_ms}, {"failed", result.failed}};
  }
  return out;
}

std::uint64_t listing_failures(const nlohmann::json& listings) {
  std::uint64_t failed = 0;
  for (const auto& [name, figures] : listings.items()) failed += figures["failed"].get<std::uint64_t>();
  return failed;
}

double allocated_bytes(const std::filesystem::path& file) {
  struct stat info {};
  return ::stat(file.c_str(), &info) == 0 ? static_cast<double>(info.st_blocks) * 512.0 : 0.0;
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0 || argc < 2) {
    std::fprintf(stderr, "usage: scale_bench BUILD_DIR [licenses] [partners] [clients]\n");
    return 2;
  }
  const std::string build = argv[1];
  const std::uint64_t total_licenses = argc > 2 ? std::stoull(argv[2]) : 1'000'000;
  const std::uint64_t partner_count = argc > 3 ? std::stoull(argv[3]) : 1'000;
  const load_options load{argc > 4 ? static_cast<unsigned>(std::stoi(argv[4])) : 64u, std::chrono::hours(24)};
  const auto scratch = std::filesystem::temp_directory_path() / ("licensor-scale-" + std::to_string(::getpid()));
  const auto data = scratch / "data";
  const std::string operator_auth = std::string("Bearer ") + bench_operator_token;
  child_process server(licensord_bench_args(build, data.string()), {std::string("LICENSOR_OPERATOR_TOKEN=") + bench_operator_token});
  const auto port = server.port();

  std::fprintf(stderr, "scale_bench: %llu partners\n", static_cast<unsigned long long>(partner_count));
  (void)request_field(port, {"POST", "/v1/products", R"({"id":"editor","tiers":["basic","pro"]})", operator_auth});
  std::vector<partner_access> partners;
  for (std::uint64_t p = 0; p < partner_count; ++p) {
    const auto id = request_field(port, {"POST", "/v1/partners", R"({"name":"P)" + std::to_string(p) + R"(","level":"gold","can_issue":true})", operator_auth});
    partners.push_back({id, "Bearer " + request_field(port, {"POST", "/v1/partners/" + id + "/api-keys", "", operator_auth}, "api_key")});
  }

  // The empty-store baseline: the first partner's first licenses, probed before the load.
  std::vector<std::string> probe_ids, probe_tokens;
  for (int i = 0; i < 64; ++i) {
    const auto customer = request_field(port, {"POST", "/v1/customers", R"({"email":"probe)" + std::to_string(i) + R"(@example.com"})", partners[0].auth});
    const auto reply = nlohmann::json::parse(load_once(port, {"POST", "/v1/licenses",
        R"({"customer_id":")" + customer + R"(","product":"editor","kind":"paid"})", partners[0].auth}).body);
    probe_ids.push_back(reply["id"]);
    probe_tokens.push_back(reply["token"]);
  }
  const auto empty = latency_probe(port, operator_auth, probe_ids, probe_tokens);

  const auto begin = clock_type::now();
  auto progress = [&](const char* what, std::uint64_t done, std::uint64_t total) {
    if (done % 50'000 != 0) return;
    const double seconds = std::chrono::duration<double>(clock_type::now() - begin).count();
    std::fprintf(stderr, "scale_bench: %s %llu/%llu (%.0f s)\n", what, static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total), seconds);
  };
  const std::uint64_t customer_count = (total_licenses + licenses_per_customer - 1) / licenses_per_customer;
  std::vector<std::string> customers(customer_count);
  const auto customers_loaded = load_run(port, load, [&](unsigned c, std::uint64_t i) -> std::optional<load_request> {
    const auto g = i * load.clients + c;
    if (g >= customer_count) return std::nullopt;
    progress("customers", g, customer_count);
    return load_request{"POST", "/v1/customers", R"({"email":"c)" + std::to_string(g) + R"(@scale.example.com","name":"Customer )" +
                        std::to_string(g) + R"("})", partners[owner_of(g, partner_count)].auth};
  }, [&](unsigned c, std::uint64_t i, unsigned status, const std::string& body) {
    if (status == 201) customers[i * load.clients + c] = nlohmann::json::parse(body)["id"];
  });
  std::vector<std::string> license_ids(total_licenses);
  const auto licenses_loaded = load_run(port, load, [&](unsigned c, std::uint64_t i) -> std::optional<load_request> {
    const auto g = i * load.clients + c;
    if (g >= total_licenses) return std::nullopt;
    progress("licenses", g, total_licenses);
    const auto customer = g / licenses_per_customer;
    return load_request{"POST", "/v1/licenses", R"({"customer_id":")" + customers[customer] + R"(","product":"editor","kind":"paid"})",
                        partners[owner_of(customer, partner_count)].auth};
  }, [&](unsigned c, std::uint64_t i, unsigned status, const std::string& body) {
    if (status == 201) license_ids[i * load.clients + c] = nlohmann::json::parse(body)["id"];
  });
  const double load_seconds = std::chrono::duration<double>(clock_type::now() - begin).count();
  const auto loaded = latency_probe(port, operator_auth, license_ids, probe_tokens);
  // The big partner's licenses and everyone's, a page of 50 as the portal asks: plain, the
  // newest first (the portal's default), by the start of an email (an index), by a status none
  // has (an index), by expiry (an index), and customers by the start of a name (an index) and
  // the newest first; the audit log newest first.
  const auto& big = partners[0].auth;
  const std::vector<std::pair<std::string, load_request>> pages{
      {"operator_licenses", {"GET", "/v1/licenses?limit=50", "", operator_auth}},
      {"operator_licenses_by_email", {"GET", "/v1/licenses?limit=50&email=c1234", "", operator_auth}},
      {"operator_licenses_by_status", {"GET", "/v1/licenses?limit=50&status=suspended", "", operator_auth}},
      {"operator_customers_by_name", {"GET", "/v1/customers?limit=50&q=customer%20777", "", operator_auth}},
      {"operator_licenses_newest", {"GET", "/v1/licenses?limit=50&sort=-issued", "", operator_auth}},
      {"operator_audit_newest", {"GET", "/v1/audit?limit=50&order=newest", "", operator_auth}},
      {"partner_licenses", {"GET", "/v1/licenses?limit=50", "", big}},
      {"partner_licenses_by_email", {"GET", "/v1/licenses?limit=50&email=c1230", "", big}},
      {"partner_licenses_by_status", {"GET", "/v1/licenses?limit=50&status=suspended", "", big}},
      {"partner_customers_by_name", {"GET", "/v1/customers?limit=50&q=customer%20770", "", big}},
      {"partner_licenses_newest", {"GET", "/v1/licenses?limit=50&sort=-issued", "", big}},
      {"partner_licenses_by_expiry", {"GET", "/v1/licenses?limit=50&sort=-expires", "", big}},
      {"partner_customers_newest", {"GET", "/v1/customers?limit=50&sort=-registered", "", big}},
  };
  const auto listings = listing_probe(port, pages, 100.0);
  const double disk = allocated_bytes(data / "store" / "data.mdb");
  const long peak_kib = peak_rss_kib(server.pid());
  std::filesystem::remove_all(scratch);

  const nlohmann::json summary{
      {"bench", "scale"}, {"licenses", total_licenses}, {"partners", partner_count}, {"customers", customer_count},
      {"load_seconds", load_seconds}, {"load_licenses_per_s", static_cast<double>(licenses_loaded.completed) / licenses_loaded.seconds},
      {"failed", customers_loaded.failed + licenses_loaded.failed + listing_failures(listings)}, {"bytes_per_license", disk / static_cast<double>(total_licenses)},
      {"store_bytes", disk}, {"peak_rss_kib", peak_kib}, {"empty", empty}, {"loaded", loaded}, {"listings", listings},
      {"big_partner_licenses", (customer_count + 9) / 10 * licenses_per_customer}};
  std::printf("scale: %llu licenses across %llu partners loaded in %.0f s; %.0f bytes per license; peak %.1f MiB\n",
              static_cast<unsigned long long>(total_licenses), static_cast<unsigned long long>(partner_count), load_seconds,
              disk / static_cast<double>(total_licenses), static_cast<double>(peak_kib) / 1024.0);
  std::printf("lookup p50 %.0f us empty, %.0f us loaded; validate p50 %.0f us empty, %.0f us loaded\n",
              empty["lookup"]["p50_us"].get<double>(), loaded["lookup"]["p50_us"].get<double>(),
              empty["validate"]["p50_us"].get<double>(), loaded["validate"]["p50_us"].get<double>());
  for (const auto& [name, figures] : listings.items())
    std::printf("listing %-28s p50 %6.2f ms, p99 %6.2f ms (%.3f of the 100 ms budget)\n", name.c_str(),
                figures["p50_ms"].get<double>(), figures["p99_ms"].get<double>(), figures["of_budget"].get<double>());
  std::printf("%s\n", summary.dump().c_str());
  return summary["failed"].get<std::uint64_t>() == 0 ? 0 : 1;
}
