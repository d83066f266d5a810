// Collects the benchmarks' JSON summary lines into one JSON report and a Markdown table.
// Usage: report LINES.jsonl REPORT.json REPORT.md
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: report LINES.jsonl REPORT.json REPORT.md\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  nlohmann::json report = nlohmann::json::object();
  for (std::string line; std::getline(in, line);) {
    auto entry = nlohmann::json::parse(line, nullptr, false);
    if (entry.is_object() && entry.contains("bench")) report[entry["bench"].get<std::string>()] = entry;
  }
  std::ofstream(argv[2]) << report.dump(2) << "\n";

  std::ofstream md(argv[3]);
  md << "# Licensor benchmark report\n\nMedians over the repetitions of one run; limits measured in the same run.\n\n"
     << "| figure | value | limit (same run) | ratio |\n| --- | --- | --- | --- |\n";
  char row[256];
  if (report.contains("verify")) {
    const auto& v = report["verify"];
    std::snprintf(row, sizeof row, "| offline verify | %.0f /s | raw Ed25519 verify %.0f /s | %.3f x the raw cost |\n",
                  v["ours_per_s"].get<double>(), v["raw_per_s"].get<double>(), v["ratio"].get<double>());
    md << row;
  }
  if (report.contains("server")) {
    const auto& s = report["server"];
    std::snprintf(row, sizeof row, "| issue (HTTPS, %d clients) | %.0f /s, p50 %.0f us, p99 %.0f us | sign %.0f /s, durable LMDB %.0f records/s | %.2f |\n",
                  s["clients"].get<int>(), s["issue_per_s"].get<double>(), s["issue_p50_us"].get<double>(),
                  s["issue_p99_us"].get<double>(), s["sign_per_s"].get<double>(), s["commit_records_per_s"].get<double>(),
                  s["issue_ratio"].get<double>());
    md << row;
    std::snprintf(row, sizeof row, "| validate (HTTPS, %d clients) | %.0f /s, p50 %.0f us, p99 %.0f us | trivial TLS responder %.0f /s | %.2f |\n",
                  s["clients"].get<int>(), s["validate_per_s"].get<double>(), s["validate_p50_us"].get<double>(),
                  s["validate_p99_us"].get<double>(), s["trivial_per_s"].get<double>(), s["validate_ratio"].get<double>());
    md << row;
  }
  return 0;
}
