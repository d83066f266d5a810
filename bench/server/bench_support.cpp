#include "bench_support.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
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

double cpu_seconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return 0;
  // The command name (field 2) may hold spaces: the fields counted here start after its ')'.
  const auto after_name = text.rfind(')');
  if (after_name == std::string::npos) return 0;
  std::istringstream fields(text.substr(after_name + 2));
  std::string field;
  double ticks = 0;
  for (int number = 3; number <= 15 && fields >> field; ++number)
    if (number == 14 || number == 15) ticks += std::stod(field);  // utime, stime
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double cpu_seconds_self() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
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
