// A small runner for background work: each job is a pass run every `interval` on the runner's
// one thread, in the order the jobs were added. Every pass is reported to job_health (GET
// /v1/health shows it) and a job that keeps failing is logged on its 1st, 2nd, 4th, 8th...
// failing pass in a row: visible, without a line every second. run_now() runs every job at once
// (the test clock, and a revocation that wants its re-signing started).
// A job is run by every replica, or only by the one that holds the lease on the shared work
// (core/replica.hpp); on the others its passes are skipped, not failed.
//
// Thread safety: run_now may be called from any thread. Destroy the runner before what its jobs
// use: the destructor finishes the pass under way and joins.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/job_health.hpp"
#include "core/replica.hpp"

namespace licensor::server {

/// What a pass did: how many records it changed, and an error for the health report (empty
/// when it succeeded).
struct pass_outcome {
  std::size_t changed = 0;
  std::string error;
};

/// Who runs a job when replicas share a store.
enum class job_scope {
  every_replica,  ///< work on the replica's own state (its keys in memory)
  one_replica,    ///< work on the store: only the lease holder runs it
};

class job_runner {
 public:
  using pass = std::function<pass_outcome()>;

  job_runner(job_health& health, const replica_state& replica, std::function<std::int64_t()> clock);
  job_runner(const job_runner&) = delete;
  job_runner& operator=(const job_runner&) = delete;
  ~job_runner();

  /// Adds a job; call before start().
  void add(std::string name, std::chrono::milliseconds interval, job_scope scope, pass run);
  /// Starts the thread; every job runs a first pass at once (catching up after downtime).
  void start();
  /// How many records each job's pass changed, by job name.
  using pass_counts = std::map<std::string, std::size_t>;
  /// Runs every job once as soon as the current pass ends, then calls `done` (on the runner's
  /// thread) with what each changed.
  void run_now(std::function<void(const pass_counts&)> done);

 private:
  struct entry {
    std::string name;
    std::chrono::milliseconds interval;
    job_scope scope;
    pass run;
    std::chrono::steady_clock::time_point due;
  };
  void loop();
  std::size_t run_one(entry& job);

  job_health& health_;
  const replica_state& replica_;
  std::function<std::int64_t()> clock_;
  std::vector<entry> jobs_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void(const pass_counts&)>> run_now_waiting_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace licensor::server
