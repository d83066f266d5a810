#include "api/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace licensor::server {

std::optional<int> rate_limiter::take(const std::string& key) {
  auto wait = check(key, true);
  if (wait) refusals_.fetch_add(1, std::memory_order_relaxed);
  return wait;
}

std::optional<int> rate_limiter::exhausted(const std::string& key) {
  auto wait = check(key, false);
  if (wait) refusals_.fetch_add(1, std::memory_order_relaxed);
  return wait;
}

void rate_limiter::give_back(const std::string& key) {
  auto& s = shards_[std::hash<std::string>{}(key) % shard_count];
  std::lock_guard lock(s.mutex);
  // A bucket that is gone was full (dropped as idle): nothing to return.
  if (auto it = s.buckets.find(key); it != s.buckets.end()) it->second.tokens = std::min(burst_, it->second.tokens + 1.0);
}

std::optional<int> rate_limiter::check(const std::string& key, bool consume) {
  auto& s = shards_[std::hash<std::string>{}(key) % shard_count];
  const auto now = clock::now();
  std::lock_guard lock(s.mutex);
  if (s.buckets.size() >= max_buckets_per_shard) {
    // Full buckets carry no state worth keeping; drop them first.
    std::erase_if(s.buckets, [&](const auto& entry) {
      const auto& b = entry.second;
      return b.tokens + std::chrono::duration<double>(now - b.updated).count() * per_second_ >= burst_;
    });
    if (s.buckets.size() >= max_buckets_per_shard) return 1;  // under a flood, fail closed
  }
  auto [it, inserted] = s.buckets.try_emplace(key, bucket{burst_, now});
  auto& b = it->second;
  b.tokens = std::min(burst_, b.tokens + std::chrono::duration<double>(now - b.updated).count() * per_second_);
  b.updated = now;
  if (b.tokens >= 1.0) {
    if (consume) b.tokens -= 1.0;
    return std::nullopt;
  }
  return static_cast<int>(std::ceil((1.0 - b.tokens) / per_second_));
}

}  // namespace licensor::server
