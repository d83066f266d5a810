// What the server benchmarks share: statistics over repetitions, licensord's peak memory, and
// API setup through one-off requests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "load_generator.hpp"

namespace licensor::bench {

/// Median and spread of one figure over the repetitions.
struct spread {
  double median = 0, min = 0, max = 0;
};
[[nodiscard]] spread spread_of(std::vector<double> values);
[[nodiscard]] nlohmann::json spread_json(const spread& s);

/// Peak resident memory of a process (VmHWM), in KiB; 0 when unknown.
[[nodiscard]] long peak_rss_kib(pid_t pid);

/// CPU time a process has used so far, all its threads, user and system, in seconds (to the
/// kernel's clock tick, 10 ms here); 0 when unknown. The difference over a run, divided by the
/// requests it answered, is what one request costs the process whatever else runs on the cores.
[[nodiscard]] double cpu_seconds(pid_t pid);
/// The same for this process (the load generator's threads, when it is the one running).
[[nodiscard]] double cpu_seconds_self();
/// The CPU time of `root` and every process under it, those still running and those that ended
/// and were waited for (a server such as PostgreSQL's postmaster and its backends), in seconds.
[[nodiscard]] double cpu_seconds_tree(pid_t root);
/// The same for the programs this process ran and waited for (pgbench), in seconds.
[[nodiscard]] double cpu_seconds_children();
/// Waits, up to `bound`, until this machine's cores are idle (under 5% busy over three
/// consecutive tenths of a second, from /proc/stat; time stolen by other guests aside): what a run
/// set going in the background (a checkpoint's sync, the kernel's writeback) has then finished, so
/// that the next run neither pays for it nor competes with it. Says so on stderr when they never were.
void wait_until_idle(std::chrono::milliseconds bound = std::chrono::seconds(30));
/// CPU seconds spent over `requests` requests, as microseconds per request (0 for none).
[[nodiscard]] double per_request_us(double cpu_seconds_spent, double requests);
/// The CPU time, in microseconds, that this machine's cores give each request when they serve
/// `per_second` requests a second between them: what a throughput target leaves per request.
[[nodiscard]] double cpu_per_request_at_us(double per_second);

/// Sends one request and returns the JSON answer's `field` (throws on anything unexpected).
[[nodiscard]] std::string request_field(unsigned short port, const load_request& request, const char* field = "id");

/// The operator token benchmarks start licensord with: a throwaway, at the minimum length.
inline constexpr const char* bench_operator_token = "bench-operator-token-throwaway-00";

/// licensord's command line for a benchmark: loopback, a fresh data dir, quiet, brute-force
/// limits lifted (one loopback client plays thousands of customers), webhooks allowed to reach
/// a receiver on loopback over HTTP.
[[nodiscard]] std::vector<std::string> licensord_bench_args(const std::string& build_dir, const std::string& data_dir);

}  // namespace licensor::bench
