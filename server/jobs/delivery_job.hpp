// A delivery job: on its own thread (a slow receiver must not hold up renewals, and a slow mail
// server not the webhooks), round after round, it plans each endpoint its transport serves
// (core/webhook_delivery), sends through the transport (in order within a subject), and records
// what came of them in one store job. A round starts every `poll`, or at once after a full batch,
// so under load rounds are few and large. Only the replica that holds the lease on the shared
// work delivers (core/replica.hpp): each event goes out once, not once per replica.
//
// Thread safety: run_now() may be called from any thread. Destroy it before the store.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/job_health.hpp"
#include "core/replica.hpp"
#include "jobs/delivery_transport.hpp"
#include "metrics/metrics.hpp"
#include "store/store.hpp"

namespace licensor::server {

struct delivery_job_options {
  std::chrono::milliseconds poll{200};
  std::size_t batch = 1'000;  ///< new events taken per endpoint and round
};

class delivery_job {
 public:
  delivery_job(store::store& store, std::function<std::int64_t()> clock, job_health& health,
               const replica_state& replica, metrics::registry& metrics, std::unique_ptr<delivery_transport> transport,
               delivery_job_options options = {});
  delivery_job(const delivery_job&) = delete;
  delivery_job& operator=(const delivery_job&) = delete;
  ~delivery_job();

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
  const replica_state& replica_;
  std::unique_ptr<delivery_transport> transport_;
  delivery_job_options options_;
  metrics::counter* delivered_;
  metrics::counter* failed_;
  metrics::histogram* latency_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void(std::size_t)>> run_now_waiting_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace licensor::server
