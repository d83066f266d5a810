#include "bench_support.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

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

namespace {

// From /proc/<pid>/stat: the parent, and CPU ticks of the process itself (utime, stime) and of
// the children it waited for (cutime, cstime).
struct process_times {
  pid_t parent = 0;
  double own_ticks = 0, waited_ticks = 0;
};

std::optional<process_times> process_times_of(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return std::nullopt;
  // The command name (field 2) may hold spaces: the fields counted here start after its ')'.
  const auto after_name = text.rfind(')');
  if (after_name == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(after_name + 2));
  std::string field;
  process_times times;
  for (int number = 3; number <= 17 && fields >> field; ++number) {
    if (number == 4) times.parent = static_cast<pid_t>(std::stol(field));
    if (number == 14 || number == 15) times.own_ticks += std::stod(field);
    if (number == 16 || number == 17) times.waited_ticks += std::stod(field);
  }
  return times;
}

double ticks_to_seconds(double ticks) { return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK)); }

double rusage_seconds(int who) {
  rusage usage{};
  if (::getrusage(who, &usage) != 0) return 0;
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

double cpu_seconds(pid_t pid) {
  const auto times = process_times_of(pid);
  return times ? ticks_to_seconds(times->own_ticks) : 0;
}

double cpu_seconds_tree(pid_t root) {
  std::map<pid_t, std::vector<pid_t>> children;
  std::map<pid_t, process_times> all;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(name));
    if (const auto times = process_times_of(pid)) {
      all[pid] = *times;
      children[times->parent].push_back(pid);
    }
  }
  double ticks = 0;
  std::vector<pid_t> pending{root};
  while (!pending.empty()) {
    const auto pid = pending.back();
    pending.pop_back();
    if (const auto found = all.find(pid); found != all.end()) ticks += found->second.own_ticks + found->second.waited_ticks;
    for (const auto child : children[pid]) pending.push_back(child);
  }
  return ticks_to_seconds(ticks);
}

double cpu_seconds_children() { return rusage_seconds(RUSAGE_CHILDREN); }

double cpu_seconds_self() { return rusage_seconds(RUSAGE_SELF); }

namespace {

// The cores' busy and total time so far, in clock ticks, from /proc/stat's first line.
struct core_ticks {
  unsigned long long busy = 0, total = 0;
};

core_ticks core_ticks_now() {
  std::ifstream stat("/proc/stat");
  std::string label;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  stat >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  const auto busy = user + nice + system + irq + softirq;
  return {busy, busy + idle + iowait};
}

}  // namespace

void wait_until_idle(std::chrono::milliseconds bound) {
  const auto give_up = std::chrono::steady_clock::now() + bound;
  int idle_samples = 0;
  auto before = core_ticks_now();
  while (std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto now = core_ticks_now();
    const auto total = now.total - before.total;
    const bool idle = total > 0 && 20 * (now.busy - before.busy) < total;
    idle_samples = idle ? idle_samples + 1 : 0;
    if (idle_samples == 3) return;
    before = now;
  }
  std::fprintf(stderr, "bench: the cores were still busy %lld s after a run; the next run shares them\n",
               static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(bound).count()));
}

double per_request_us(double cpu_seconds_spent, double requests) {
  return requests > 0 ? cpu_seconds_spent * 1e6 / requests : 0;
}

double cpu_per_request_at_us(double per_second) {
  const double cores = std::max(1u, std::thread::hardware_concurrency());
  return per_second > 0 ? cores * 1e6 / per_second : 0;
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
