// Token-bucket rate limits against brute force: each key (a client address, an activation
// key) gets `burst` requests at once and `per_minute` more each minute. Keyed buckets are kept
// in shards with their own locks; idle full buckets are dropped so a flood of distinct keys
// cannot grow memory without bound.
//
// Thread safety: every member function may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace licensor::server {

class rate_limiter {
 public:
  rate_limiter(double per_minute, double burst) : per_second_(per_minute / 60.0), burst_(burst) {}

  /// Takes one request from `key`'s bucket. nullopt: allowed; otherwise the seconds to wait.
  [[nodiscard]] std::optional<int> take(const std::string& key);
  /// True when `key`'s bucket is empty (without taking): used to refuse before doing work.
  [[nodiscard]] std::optional<int> exhausted(const std::string& key);
  /// Returns one request to `key`'s bucket (never above `burst`): for a try taken before work
  /// whose outcome should not count (a right password).
  void give_back(const std::string& key);
  /// Requests refused so far (take or exhausted answered a wait).
  [[nodiscard]] std::uint64_t refusals() const noexcept { return refusals_.load(std::memory_order_relaxed); }

 private:
  using clock = std::chrono::steady_clock;
  struct bucket {
    double tokens;
    clock::time_point updated;
  };
  struct shard {
    std::mutex mutex;
    std::unordered_map<std::string, bucket> buckets;
  };
  static constexpr std::size_t shard_count = 16;
  static constexpr std::size_t max_buckets_per_shard = 65'536;

  std::optional<int> check(const std::string& key, bool consume);

  double per_second_;
  double burst_;
  std::array<shard, shard_count> shards_;
  std::atomic<std::uint64_t> refusals_{0};
};

}  // namespace licensor::server
