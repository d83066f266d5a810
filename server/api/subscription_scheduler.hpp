// The subscription scheduler: applies renewals, expiries, trial conversions and scheduled
// changes whose time has come. Each pass is one write job through the service's group commit
// (so it serialises with every API change) that scans the "schedule" sub-database up to now and
// catches up every missed period, which makes it idempotent and safe after downtime.
//
// Thread safety: subscription_run_due may be called from any thread. The scheduler object owns
// one thread; destroy it before the service.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "api/service.hpp"

namespace licensor::server {

/// Submits one pass at svc.now(); `done(changed)` runs on the writer thread once it is durable
/// (changed: licenses that moved on; 0 on failure, which the next pass retries).
void subscription_run_due(service& svc, std::function<void(std::size_t)> done);

class subscription_scheduler {
 public:
  /// Starts the thread: a pass at once (catching up after downtime), then every `interval`.
  explicit subscription_scheduler(service& svc, std::chrono::milliseconds interval = std::chrono::seconds(2));
  subscription_scheduler(const subscription_scheduler&) = delete;
  subscription_scheduler& operator=(const subscription_scheduler&) = delete;
  ~subscription_scheduler();

 private:
  void run();
  service& service_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace licensor::server
