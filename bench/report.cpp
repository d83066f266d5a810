// Collects the benchmarks' JSON summary lines into one JSON report and a Markdown page.
// Usage: report LINES.jsonl REPORT.json REPORT.md
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using nlohmann::json;

// printf's text of `pattern` with numbers only, every one printed as a double.
template <class... Numbers>
std::string format(const char* pattern, Numbers... numbers) {
  const int length = std::snprintf(nullptr, 0, pattern, static_cast<double>(numbers)...);
  std::string text(static_cast<std::size_t>(length > 0 ? length : 0), '\0');
  std::snprintf(text.data(), text.size() + 1, pattern, static_cast<double>(numbers)...);
  return text;
}

// "median /s (min-max)" of a {"median","min","max"} object.
std::string rate(const json& s) {
  return format("%.0f /s (%.0f-%.0f)", s["median"].get<double>(), s["min"].get<double>(), s["max"].get<double>());
}

std::string latency(const json& f) {
  return format("%.0f / %.0f / %.0f us", f["p50_us"]["median"].get<double>(), f["p99_us"]["median"].get<double>(),
                f["p999_us"]["median"].get<double>());
}

void server_section(std::ofstream& md, const json& s) {
  md << "\n## Server (HTTPS keep-alive, " << s["clients"].get<int>() << " clients, " << s["repetitions"].get<int>()
     << " repetitions of " << s["seconds_per_run"].get<double>() << " s)\n\n"
     << "| load | throughput, median (min-max) | p50 / p99 / p99.9 | errors | limit in the same run | ratio |\n"
     << "| --- | --- | --- | --- | --- | --- |\n";
  md << "| issue | " << rate(s["issue"]["per_s"]) << " | " << latency(s["issue"]) << " | " << s["issue"]["failed"]
     << " | " << format("min(sign %.0f /s, durable LMDB %.0f records/s)", s["sign_per_s"]["median"].get<double>(),
                        s["commit_records_per_s"]["median"].get<double>())
     << " | " << format("%.2f", s["issue_ratio"].get<double>()) << " |\n";
  md << "| issue (same run) | | | | "
     << format("L = 1/(1/trivial + 1/sign+verify %.0f /s) = %.0f /s", s["sign_verify_per_s"]["median"].get<double>(),
               s["issue_combined_limit_per_s"].get<double>())
     << " | " << format("%.2f", s["issue_ratio_combined"].get<double>()) << " |\n";
  md << "| issue, one webhook endpoint delivering | " << rate(s["issue_webhook"]["per_s"]) << " | " << latency(s["issue_webhook"])
     << " | " << s["issue_webhook"]["failed"] << " | issue without it (mean of the runs just before and after), each repetition; "
     << format("last event %.2f s after the load", s["webhook_drain_seconds"]["median"].get<double>()) << " | "
     << format("%.2f (%.2f-%.2f)", s["issue_webhook_ratio"]["median"].get<double>(), s["issue_webhook_ratio"]["min"].get<double>(),
               s["issue_webhook_ratio"]["max"].get<double>())
     << " |\n";
  md << "| validate | " << rate(s["validate"]["per_s"]) << " | " << latency(s["validate"]) << " | "
     << s["validate"]["failed"] << " | trivial TLS responder " << rate(s["trivial"]["per_s"]) << " | "
     << format("%.2f", s["validate_ratio"].get<double>()) << " |\n";
  md << "| mixed (issue, activate, validate) | " << rate(s["mixed"]["per_s"]) << " | " << latency(s["mixed"]) << " | "
     << s["mixed"]["failed"] << " | | |\n";
  md << "| trivial responder | " << rate(s["trivial"]["per_s"]) << " | " << latency(s["trivial"]) << " | "
     << s["trivial"]["failed"] << " | | |\n";
  md << "| license read, API key | " << rate(s["read_api_key"]["per_s"]) << " | " << latency(s["read_api_key"]) << " | "
     << s["read_api_key"]["failed"] << " | | |\n";
  md << "| license read, session cookie | " << rate(s["read_cookie"]["per_s"]) << " | " << latency(s["read_cookie"]) << " | "
     << s["read_cookie"]["failed"] << " | the same read with an API key | " << format("%.2f", s["read_cookie_ratio"].get<double>())
     << " |\n";
  md << "\nlicensord peak memory: " << format("%.1f MiB", s["peak_rss_kib"].get<double>() / 1024.0)
     << " (VmHWM: includes the LMDB pages mapped in)\n";
  md << "\nCPU time per request (medians, from /proc), the server's and the load generator's:\n\n"
     << "| load | server | load generator |\n| --- | --- | --- |\n";
  for (const char* load : {"issue", "issue_webhook", "validate", "trivial", "mixed", "read_api_key", "read_cookie"})
    md << "| " << load << " | " << format("%.1f us", s[load]["server_cpu_us"]["median"].get<double>()) << " | "
       << format("%.1f us", s[load]["client_cpu_us"]["median"].get<double>()) << " |\n";
  const double issue_cpu = s["issue"]["server_cpu_us"]["median"].get<double>();
  const double sign_verify_cpu = s["sign_verify_cpu_us"].get<double>();
  const double answer_cpu = s["trivial"]["server_cpu_us"]["median"].get<double>();
  md << format("\nAn issuance: licensord %.1f us = signing and its check %.1f us + an HTTPS answer %.1f us + the rest %.1f us; "
               "at 0.6 L licensord and the load generator may spend %.1f us in all. Validation against the trivial "
               "responder in the server's CPU per request: %.2f.\n",
               issue_cpu, sign_verify_cpu, answer_cpu, issue_cpu - sign_verify_cpu - answer_cpu,
               s["issue_cpu_budget_us"].get<double>(), s["validate_cpu_ratio"].get<double>());
}

void postgresql_section(std::ofstream& md, const json& s, const json* lmdb) {
  md << "\n## PostgreSQL (HTTPS keep-alive, " << s["clients"].get<int>() << " clients, " << s["repetitions"].get<int>()
     << " repetitions of " << s["seconds_per_run"].get<double>() << " s)\n\n"
     << "The limit: " << rate(s["insert_limit_per_s"])
     << " single-row durable INSERT transactions from as many clients (pgbench, same PostgreSQL, same run).\n\n"
     << format("CPU time per INSERT: PostgreSQL %.1f us, pgbench %.1f us. ", s["insert_cpu_us"]["postgresql"]["median"].get<double>(),
               s["insert_cpu_us"]["client"]["median"].get<double>())
     << format("At 0.5 of the limit an issuance may cost %.1f us of CPU in all.\n\n", s["issue_cpu_budget_us"].get<double>())
     << "| request | replicas | rate | p50 / p99 | errors | of the limit | CPU per request: licensord / PostgreSQL / client |\n"
     << "| --- | --- | --- | --- | --- | --- | --- |\n";
  const auto row = [&](const char* name, const char* replicas, const json& f, const json& ratio) {
    const auto& cpu = f["cpu_us"];
    md << "| " << name << " | " << replicas << " | " << rate(f["per_s"]) << " | "
       << format("%.0f / %.0f us", f["p50_us"]["median"].get<double>(), f["p99_us"]["median"].get<double>()) << " | "
       << f["failed"] << " | " << (ratio.is_number() ? format("%.2f", ratio.get<double>()) : std::string()) << " | "
       << format("%.1f / %.1f / %.1f us", cpu["licensord"]["median"].get<double>(), cpu["postgresql"]["median"].get<double>(),
                 cpu["client"]["median"].get<double>())
       << " |\n";
  };
  row("issue", "1", s["issue_one_replica"], s["issue_one_ratio"]);
  row("issue", "3", s["issue_three_replicas"], s["issue_three_ratio"]);
  row("validate", "1", s["validate_one_replica"], nullptr);
  row("validate", "3", s["validate_three_replicas"], nullptr);
  if (lmdb != nullptr)
    md << "\nOn LMDB in the same run (one process): issue " << rate((*lmdb)["issue"]["per_s"]) << ", validate "
       << rate((*lmdb)["validate"]["per_s"]) << ".\n";
}

void scale_section(std::ofstream& md, const json& s) {
  md << "\n## Scale (" << s["licenses"].get<long>() << " licenses across " << s["partners"].get<long>()
     << " partners)\n\n"
     << format("Loaded in %.0f s (%.0f licenses/s); %.0f bytes per license on disk; peak memory %.1f MiB (VmHWM, with the mapped store).\n\n",
               s["load_seconds"].get<double>(), s["load_licenses_per_s"].get<double>(),
               s["bytes_per_license"].get<double>(), s["peak_rss_kib"].get<double>() / 1024.0)
     << "| request | empty store p50 / p99 | loaded store p50 / p99 |\n| --- | --- | --- |\n";
  for (const char* name : {"lookup", "validate"}) {
    const auto& empty = s["empty"][name];
    const auto& full = s["loaded"][name];
    md << "| " << name << " | "
       << format("%.0f / %.0f us", empty["p50_us"].get<double>(), empty["p99_us"].get<double>()) << " | "
       << format("%.0f / %.0f us", full["p50_us"].get<double>(), full["p99_us"].get<double>()) << " |\n";
  }
  if (!s.contains("listings")) return;
  md << "\nListing pages of 50 (the portal's lists) at that size: the operator sees every license, the big partner about "
     << s["big_partner_licenses"].get<long>() << ".\n\n| page | p50 | p99 | p50 of the 100 ms budget |\n| --- | --- | --- | --- |\n";
  for (const auto& [name, figures] : s["listings"].items())
    md << "| " << name << " | " << format("%.2f ms", figures["p50_ms"].get<double>()) << " | "
       << format("%.2f ms", figures["p99_ms"].get<double>()) << " | " << format("%.3f", figures["of_budget"].get<double>()) << " |\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: report LINES.jsonl REPORT.json REPORT.md\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  json report = json::object();
  for (std::string line; std::getline(in, line);) {
    auto entry = json::parse(line, nullptr, false);
    if (entry.is_object() && entry.contains("bench")) report[entry["bench"].get<std::string>()] = entry;
  }
  std::ofstream(argv[2]) << report.dump(2) << "\n";

  std::ofstream md(argv[3]);
  md << "# Licensor benchmark report\n\nEvery figure is a median over the repetitions of one run, with the min-max "
        "spread; each limit was measured in the same run.\n";
  if (report.contains("verify")) {
    const auto& v = report["verify"];
    md << "\n## Offline verification\n\n"
       << format("Full verify %.0f /s; raw libsodium Ed25519 verify of the same bytes %.0f /s; a full verify costs "
                 "%.3f raw verifies (target <= 1.2).\n",
                 v["ours_per_s"].get<double>(), v["raw_per_s"].get<double>(), v["ratio"].get<double>());
  }
  if (report.contains("server")) server_section(md, report["server"]);
  if (report.contains("postgresql"))
    postgresql_section(md, report["postgresql"], report.contains("server") ? &report["server"] : nullptr);
  if (report.contains("scale")) scale_section(md, report["scale"]);
  if (report.contains("portal")) {
    const auto& p = report["portal"];
    md << "\n## The portal's first load\n\n"
       << format("A partner's dashboard with its data, signed in, on loopback (median of %.0f): %.0f ms with an empty cache "
                 "(%.0f bytes on the wire), ",
                 p["repetitions"].get<double>(), p["cold_ms"].get<double>(), p["cold_bytes"].get<double>())
       << format("%.0f ms with the assets cached (%.0f bytes). The same requests without a browser: %.0f ms. ",
                 p["warm_ms"].get<double>(), p["warm_bytes"].get<double>(), p["floor_ms"].get<double>())
       << format("Cold load %.2f of the 1 s target.\n", p["cold_of_target"].get<double>());
  }
  return 0;
}
