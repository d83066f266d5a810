#include "key_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace licensor::keys {

result<key_dir_lock> key_dir_lock::acquire(const std::filesystem::path& dir) {
  const auto path = dir / "lock";
  const int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) return errc::io_error;
  int locked = 0;
  do locked = ::flock(fd, LOCK_EX);
  while (locked != 0 && errno == EINTR);
  if (locked != 0) {
    ::close(fd);
    return errc::io_error;
  }
  return key_dir_lock(fd);
}

// Closing the descriptor releases the flock.
key_dir_lock::~key_dir_lock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace licensor::keys
