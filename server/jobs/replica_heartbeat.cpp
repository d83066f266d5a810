#include "jobs/replica_heartbeat.hpp"

#include <memory>

#include "core/refusal.hpp"
#include "licensor/thread_name.hpp"

namespace licensor::server {
namespace {

constexpr std::string_view shared_work_lease = "shared_work";

}  // namespace

replica_heartbeat::replica_heartbeat(store::store& store, replica_state& replica, replica_heartbeat_options options)
    : store_(store), replica_(replica), options_(options) {}

replica_heartbeat::~replica_heartbeat() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (!thread_.joinable()) return;
  thread_.join();
  const auto released = store::submit_wait(store_, [id = replica_.id()](store::write_view& write) {
    return refusal_caught([&] { lease_release(write, shared_work_lease, id); });
  });
  if (released) replica_.lease_seen({});
}

void replica_heartbeat::start() {
  beat();
  thread_ = std::thread([this] {
    thread_name_set("heartbeat");
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, options_.interval, [this] { return stopping_; })) {
      lock.unlock();
      beat();
      lock.lock();
    }
  });
}

void replica_heartbeat::beat() {
  const auto now = lease_clock_now();
  replica_.write_started(now);
  auto seen = std::make_shared<lease>();
  const auto claimed = store::submit_wait(store_, [id = replica_.id(), now, ttl = options_.lease_seconds,
                                                   seen](store::write_view& write) {
    return refusal_caught([&] { *seen = lease_claim(write, shared_work_lease, id, now, ttl); });
  });
  replica_.write_ended(claimed.ok(), lease_clock_now());
  if (claimed) replica_.lease_seen(*seen);
}

}  // namespace licensor::server
