#include "bench_support.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace licensor::bench {

spread spread_of(std::vector<double> values) {
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  return {values[values.size() / 2], values.front(), values.back()};
}

nlohmann::json spread_json(const spread& s) { return {{"median", s.median}, {"min", s.min}, {"max", s.max}}; }

long peak_rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

std::string request_field(unsigned short port, const load_request& request, const char* field) {
  const auto reply = load_once(port, request);
  const auto body = nlohmann::json::parse(reply.body, nullptr, false);
  if (reply.status / 100 != 2 || !body.is_object() || !body.contains(field))
    throw std::runtime_error("setup request " + request.target + " failed: " + reply.body);
  return body[field].get<std::string>();
}

std::vector<std::string> licensord_bench_args(const std::string& build_dir, const std::string& data_dir) {
  return {build_dir + "/server/licensord", "--listen", "127.0.0.1:0", "--data-dir", data_dir, "--log-level", "warn",
          "--activate-rate", "100000000", "--activate-key-rate", "100000000",
          // The webhook receiver runs on loopback, over plain HTTP, in the benchmark itself.
          "--webhook-allow-private", "yes", "--webhook-allow-http", "yes"};
}

}  // namespace licensor::bench
