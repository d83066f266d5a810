// An exclusive advisory lock (flock) on DIR/lock, held while a change to a key directory runs
// so that two licensorctl processes never read-modify-write the keyring at the same time.
#pragma once

#include <filesystem>

#include "licensor/result.hpp"

namespace licensor::keys {

class key_dir_lock {
 public:
  /// Blocks until the lock is free. Errors: io_error.
  [[nodiscard]] static result<key_dir_lock> acquire(const std::filesystem::path& dir);

  key_dir_lock(key_dir_lock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  key_dir_lock(const key_dir_lock&) = delete;
  key_dir_lock& operator=(const key_dir_lock&) = delete;
  key_dir_lock& operator=(key_dir_lock&&) = delete;
  ~key_dir_lock();

 private:
  explicit key_dir_lock(int fd) noexcept : fd_(fd) {}
  int fd_;
};

}  // namespace licensor::keys
