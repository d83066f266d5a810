// The replica's heartbeat: on its own thread, every `interval`, one store write claims or renews
// the lease on the shared background work (core/replica.hpp) and records in replica_state
// whether it committed. Its own thread, because a write waits while the database is away (a
// failover) and nothing else should wait with it; meanwhile the lease lapses here and the jobs
// stand by, as they must, since another replica may take over.
//
// Thread safety: construct, start and destroy on one thread. Destroy it before the store: the
// destructor gives the lease up (so another replica takes over at once) and joins.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "core/replica.hpp"
#include "store/store.hpp"

namespace licensor::server {

struct replica_heartbeat_options {
  std::chrono::seconds interval{5};
  std::int64_t lease_seconds = 15;  ///< a lease not renewed for this long is another's to take
};

class replica_heartbeat {
 public:
  replica_heartbeat(store::store& store, replica_state& replica, replica_heartbeat_options options = {});
  replica_heartbeat(const replica_heartbeat&) = delete;
  replica_heartbeat& operator=(const replica_heartbeat&) = delete;
  ~replica_heartbeat();

  /// Beats once (so the first passes of the jobs know whether they are this replica's to run),
  /// then starts the thread.
  void start();

 private:
  void beat();

  store::store& store_;
  replica_state& replica_;
  const replica_heartbeat_options options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace licensor::server
