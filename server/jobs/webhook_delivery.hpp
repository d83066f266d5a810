// The webhook delivery job: on its own thread (a slow receiver must not hold up renewals),
// round after round, it plans each enabled endpoint's sends (core/webhook_delivery), posts them
// all at once through outbound/http_client (in order within a subject), and records what came
// of them in one store job. A round starts every `poll`, or at once after a full batch, so under
// load rounds are few and large; once an hour it prunes what outlived the retention.
//
// Thread safety: wake() and run_now() may be called from any thread. Destroy it before the
// store.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "core/job_health.hpp"
#include "metrics/metrics.hpp"
#include "outbound/http_client.hpp"
#include "store/store.hpp"

namespace licensor::server {

struct webhook_delivery_options {
  outbound_options outbound;
  std::chrono::milliseconds poll{200};
  std::size_t batch = 1'000;  ///< new events taken per endpoint and round
  std::int64_t retention_seconds = 30 * 86'400;  ///< delivered and dead events, and the log
};

class webhook_delivery {
 public:
  webhook_delivery(store::store& store, std::function<std::int64_t()> clock, job_health& health,
                   metrics::registry& metrics, webhook_delivery_options options);
  webhook_delivery(const webhook_delivery&) = delete;
  webhook_delivery& operator=(const webhook_delivery&) = delete;
  ~webhook_delivery();

  void start();
  /// Runs rounds until one finds nothing to send, then calls `done` with how many attempts
  /// they made (the test clock).
  void run_now(std::function<void(std::size_t)> done);

 private:
  void loop();
  struct round_outcome {
    bool progressed = false;    ///< it recorded something
    bool more_waiting = false;  ///< an endpoint's batch was full
  };
  /// One round: returns the attempts made.
  std::size_t round(round_outcome& outcome);

  store::store& store_;
  std::function<std::int64_t()> clock_;
  job_health& health_;
  webhook_delivery_options options_;
  http_client client_;
  metrics::counter* delivered_;
  metrics::counter* failed_;
  metrics::histogram* latency_;
  std::int64_t pruned_at_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void(std::size_t)>> run_now_waiting_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace licensor::server
