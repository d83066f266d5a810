#include "core/job_health.hpp"

#include "licensor/rfc3339.hpp"

namespace licensor::server {

std::uint64_t job_health::record(const std::string& job, std::int64_t at, const std::string& error) {
  std::lock_guard lock(mutex_);
  auto& state = jobs_[job];
  state.last_run = at;
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
                 {"last_error", state.last_error.empty() ? nlohmann::json() : nlohmann::json(state.last_error)},
                 {"last_error_at", state.last_error.empty() ? nlohmann::json() : nlohmann::json(rfc3339_format(state.last_error_at))},
                 {"consecutive_failures", state.consecutive_failures}};
  return out;
}

}  // namespace licensor::server
