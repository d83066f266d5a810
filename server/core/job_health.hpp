// How the background jobs fared, for GET /v1/health and the log: a job that keeps failing must
// be visible to operators, not only retried in silence.
//
// Thread safety: every member function may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "metrics/metrics.hpp"

namespace licensor::server {

class job_health {
 public:
  /// Records one run of `job` that ended at `at` (Unix seconds) and took `seconds`: a success
  /// when `error` is empty. Returns the job's consecutive failures after this run (0 after a
  /// success).
  std::uint64_t record(const std::string& job, std::int64_t at, const std::string& error, double seconds = 0);

  /// {"<job>": {"last_run", "last_error", "last_error_at", "consecutive_failures"}} for every job
  /// that ran; last_error and last_error_at are null until a run failed, and keep the latest
  /// failure after later successes.
  [[nodiscard]] nlohmann::json view() const;

  /// The jobs' families for GET /metrics: runs by result, the last run's time, duration and
  /// outcome.
  void metrics_write(metrics::exposition& out) const;

 private:
  struct state {
    std::int64_t last_run = 0;
    std::string last_error;
    std::int64_t last_error_at = 0;
    std::uint64_t consecutive_failures = 0;
    double last_seconds = 0;
    std::uint64_t runs_ok = 0;
    std::uint64_t runs_failed = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::string, state> jobs_;
};

}  // namespace licensor::server
