// This replica among others on one store. Several licensord replicas may serve one PostgreSQL
// store: each runs its own keyring watch (its keys are in its memory), but renewals, sweeps,
// re-signing, campaigns and deliveries must run once, not once per replica. The replica that
// holds the lease on that shared work, a small record in the store it renews every few seconds
// (jobs/replica_heartbeat), runs it; the others stand by and the first to find the lease lapsed
// takes it over. On LMDB the one process always holds it.
//
// The renewal is a real write, so it also tells whether this replica can write now: GET
// /v1/health shows it and GET /v1/ready requires it.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "store/store.hpp"

namespace licensor::server {

/// A lease as the store keeps it: who holds it and until when (Unix seconds, real time: replicas'
/// clocks are assumed to agree within a second or two, as NTP keeps them).
struct lease {
  std::string holder;  ///< empty when nobody holds it
  std::int64_t until = 0;
};

/// The time leases and heartbeats are measured in: real time (Unix seconds), never the test
/// clock, which each replica moves on its own.
[[nodiscard]] std::int64_t lease_clock_now();

/// The lease `name` as it stands in `view` (nobody's before the first claim).
[[nodiscard]] lease lease_get(const store::read_view& view, std::string_view name);
/// Claims the lease `name` for `holder` until `now + ttl_seconds`: granted when nobody holds it,
/// its holder let it lapse (until <= now) or `holder` holds it already (a renewal). Returns the
/// lease as it stands afterwards, so the claim was granted if and only if its holder is `holder`.
/// Exact across replicas because it runs in one store job (SERIALIZABLE on PostgreSQL).
[[nodiscard]] lease lease_claim(store::write_view& write, std::string_view name, std::string_view holder,
                                std::int64_t now, std::int64_t ttl_seconds);
/// Gives the lease up when `holder` holds it, so that another replica takes over at once.
void lease_release(store::write_view& write, std::string_view name, std::string_view holder);

/// What this process knows of itself as a replica.
///
/// Thread safety: every member function may be called from any thread.
class replica_state {
 public:
  /// `id` names this replica in the lease; it stays the same across restarts (app/ keeps it in
  /// the data dir), so a replica that restarts takes its own lease back at once.
  explicit replica_state(std::string id) : id_(std::move(id)) {}

  [[nodiscard]] const std::string& id() const noexcept { return id_; }

  /// Whether this replica runs the shared background work at `now` (Unix seconds, real time):
  /// it holds the lease and the lease has not lapsed.
  [[nodiscard]] bool runs_shared_work(std::int64_t now) const;
  /// A claim or release committed, leaving `seen` in the store.
  void lease_seen(const lease& seen);

  /// A heartbeat write was submitted at `now`.
  void write_started(std::int64_t now);
  /// It ended at `now`: committed or not.
  void write_ended(bool committed, std::int64_t now);
  /// Whether this replica can write at `now`: its last heartbeat write committed and none has
  /// been waiting for longer than `stuck_seconds` (a write waits while the database is away).
  [[nodiscard]] bool writable(std::int64_t now, std::int64_t stuck_seconds = 3) const;

  /// {"id", "runs_shared_jobs", "lease_until", "writable", "last_write_at"} for GET /v1/health.
  [[nodiscard]] nlohmann::json view(std::int64_t now) const;

 private:
  const std::string id_;
  mutable std::mutex mutex_;
  lease seen_;
  bool last_write_committed_ = false;
  std::int64_t last_write_at_ = 0;
  std::int64_t write_pending_since_ = 0;  ///< 0: none pending
};

}  // namespace licensor::server
