#include "core/replica.hpp"

#include <charconv>
#include <ctime>

#include "core/refusal.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {
namespace {

// A lease is a named position in the store ("<holder> <until>"): small state the store already
// keeps for sweeps, so leases need no table of their own.
std::string lease_position_name(std::string_view name) { return "lease/" + std::string(name); }

lease lease_parse(std::string_view text) {
  lease out;
  const auto space = text.rfind(' ');
  if (space == std::string_view::npos) return out;
  std::int64_t until = 0;
  const auto digits = text.substr(space + 1);
  if (std::from_chars(digits.data(), digits.data() + digits.size(), until).ec != std::errc{}) return out;
  out.holder = std::string(text.substr(0, space));
  out.until = until;
  return out;
}

}  // namespace

std::int64_t lease_clock_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

lease lease_get(const store::read_view& view, std::string_view name) {
  return lease_parse(must(view.sweep_position(lease_position_name(name))));
}

lease lease_claim(store::write_view& write, std::string_view name, std::string_view holder, std::int64_t now,
                  std::int64_t ttl_seconds) {
  const auto current = lease_get(write, name);
  if (!current.holder.empty() && current.holder != holder && current.until > now) return current;
  const lease claimed{std::string(holder), now + ttl_seconds};
  must(write.sweep_position_set(lease_position_name(name), claimed.holder + " " + std::to_string(claimed.until)));
  return claimed;
}

void lease_release(store::write_view& write, std::string_view name, std::string_view holder) {
  if (lease_get(write, name).holder != holder) return;
  must(write.sweep_position_set(lease_position_name(name), ""));
}

bool replica_state::runs_shared_work(std::int64_t now) const {
  std::lock_guard lock(mutex_);
  return seen_.holder == id_ && seen_.until > now;
}

void replica_state::lease_seen(const lease& seen) {
  std::lock_guard lock(mutex_);
  seen_ = seen;
}

void replica_state::write_started(std::int64_t now) {
  std::lock_guard lock(mutex_);
  write_pending_since_ = now;
}

void replica_state::write_ended(bool committed, std::int64_t now) {
  std::lock_guard lock(mutex_);
  write_pending_since_ = 0;
  last_write_committed_ = committed;
  last_write_at_ = now;
}

bool replica_state::writable(std::int64_t now, std::int64_t stuck_seconds) const {
  std::lock_guard lock(mutex_);
  const bool stuck = write_pending_since_ != 0 && now - write_pending_since_ > stuck_seconds;
  return last_write_committed_ && !stuck;
}

nlohmann::json replica_state::view(std::int64_t now) const {
  const bool runs = runs_shared_work(now);
  const bool can_write = writable(now);
  std::lock_guard lock(mutex_);
  return {{"id", id_},
          {"runs_shared_jobs", runs},
          {"lease_holder", seen_.holder.empty() ? nlohmann::json() : nlohmann::json(seen_.holder)},
          {"writable", can_write},
          {"last_write_at", last_write_at_ == 0 ? nlohmann::json() : nlohmann::json(rfc3339_format(last_write_at_))}};
}

}  // namespace licensor::server
