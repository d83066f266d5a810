#include "jobs/job_runner.hpp"

#include <cstdio>
#include <exception>

#include "licensor/thread_name.hpp"

namespace licensor::server {

job_runner::job_runner(job_health& health, const replica_state& replica, std::function<std::int64_t()> clock)
    : health_(health), replica_(replica), clock_(std::move(clock)) {}

job_runner::~job_runner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& done : run_now_waiting_) done({});
}

void job_runner::add(std::string name, std::chrono::milliseconds interval, job_scope scope, pass run) {
  jobs_.push_back({std::move(name), interval, scope, std::move(run), std::chrono::steady_clock::now()});
}

void job_runner::start() {
  thread_ = std::thread([this] {
    thread_name_set("jobs");
    loop();
  });
}

void job_runner::run_now(std::function<void(const pass_counts&)> done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return done({});
    run_now_waiting_.push_back(std::move(done));
  }
  wake_.notify_all();
}

std::size_t job_runner::run_one(entry& job) {
  if (job.scope == job_scope::one_replica && !replica_.runs_shared_work(lease_clock_now())) {
    job.due = std::chrono::steady_clock::now() + job.interval;  // another replica's; look again later
    return 0;
  }
  pass_outcome outcome;
  const auto started = std::chrono::steady_clock::now();
  try {
    outcome = job.run();
  } catch (const std::exception& error) {  // a bug in a pass must not end the runner
    outcome.error = error.what();
  } catch (...) {
    outcome.error = "unknown exception";
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  const auto failures = health_.record(job.name, clock_(), outcome.error, took.count());
  if (failures != 0 && (failures & (failures - 1)) == 0)
    std::fprintf(stderr, "licensord: job %s: %llu failing pass(es) in a row: %s\n", job.name.c_str(),
                 static_cast<unsigned long long>(failures), outcome.error.c_str());
  job.due = std::chrono::steady_clock::now() + job.interval;
  return outcome.changed;
}

void job_runner::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    std::deque<std::function<void(const pass_counts&)>> waiting;
    waiting.swap(run_now_waiting_);
    const bool all = !waiting.empty();
    lock.unlock();
    pass_counts changed;
    const auto now = std::chrono::steady_clock::now();
    for (auto& job : jobs_)
      if (all || job.due <= now) changed[job.name] += run_one(job);
    for (auto& done : waiting) done(changed);
    lock.lock();
    auto next = std::chrono::steady_clock::now() + std::chrono::hours(1);
    for (const auto& job : jobs_) next = std::min(next, job.due);
    wake_.wait_until(lock, next, [this] { return stopping_ || !run_now_waiting_.empty(); });
  }
}

}  // namespace licensor::server
