#include "core/job_health.hpp"

#include "core/views.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {

std::uint64_t job_health::record(const std::string& job, std::int64_t at, const std::string& error, double seconds) {
  std::lock_guard lock(mutex_);
  auto& state = jobs_[job];
  state.last_run = at;
  state.last_seconds = seconds;
  ++(error.empty() ? state.runs_ok : state.runs_failed);
  if (error.empty()) {
    state.consecutive_failures = 0;
  } else {
    state.last_error = error;
    state.last_error_at = at;
    ++state.consecutive_failures;
  }
  return state.consecutive_failures;
}

nlohmann::json job_health::view() const {
  std::lock_guard lock(mutex_);
  auto out = nlohmann::json::object();
  for (const auto& [name, state] : jobs_)
    out[name] = {{"last_run", rfc3339_format(state.last_run)},
                 {"last_error", text_or_null(state.last_error)},
                 {"last_error_at", state.last_error.empty() ? nlohmann::json() : nlohmann::json(rfc3339_format(state.last_error_at))},
                 {"consecutive_failures", state.consecutive_failures}};
  return out;
}

void job_health::metrics_write(metrics::exposition& out) const {
  using kind = metrics::exposition::kind;
  std::lock_guard lock(mutex_);
  out.family("licensor_job_runs_total", kind::counter, "Background job runs by result");
  for (const auto& [name, state] : jobs_) {
    out.sample({{"job", name}, {"result", "ok"}}, static_cast<double>(state.runs_ok));
    out.sample({{"job", name}, {"result", "failed"}}, static_cast<double>(state.runs_failed));
  }
  out.family("licensor_job_last_run_timestamp_seconds", kind::gauge, "When the job's last run ended (Unix time)");
  for (const auto& [name, state] : jobs_) out.sample({{"job", name}}, static_cast<double>(state.last_run));
  out.family("licensor_job_last_run_duration_seconds", kind::gauge, "How long the job's last run took");
  for (const auto& [name, state] : jobs_) out.sample({{"job", name}}, state.last_seconds);
  out.family("licensor_job_last_run_success", kind::gauge, "1 when the job's last run succeeded, 0 when it failed");
  for (const auto& [name, state] : jobs_) out.sample({{"job", name}}, state.consecutive_failures == 0 ? 1 : 0);
}

}  // namespace licensor::server
