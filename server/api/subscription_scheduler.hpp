// The subscription scheduler: applies renewals, expiries, trial conversions and scheduled
// changes whose time has come. A pass reads the "schedule" sub-database up to now and submits
// one write job per due license through the service's group commit (so each serialises with
// every API change, and one license that fails rolls back alone, never the others); each job
// catches up every missed period, which makes it idempotent and safe after downtime. Every pass
// is reported to svc.jobs() as "subscriptions" (GET /v1/health) and repeated failures are
// logged.
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

/// Submits one pass at svc.now(); `done(changed)` runs once every due license's job is durable
/// (on the writer thread, or on the caller's when nothing was due). changed: licenses that
/// moved on; a license that failed is left due and retried by the next pass.
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
