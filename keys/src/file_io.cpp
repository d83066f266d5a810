#include "licensor/keys/file_io.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace licensor::keys {
namespace {

// Closes a descriptor on every path out of a function.
class fd_guard {
 public:
  explicit fd_guard(int fd) noexcept : fd_(fd) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool close_now() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd < 0 || ::close(fd) == 0;
  }

 private:
  int fd_;
};

// Unlinks the temporary file unless it was published and released.
class temp_file_guard {
 public:
  explicit temp_file_guard(std::filesystem::path path) : path_(std::move(path)) {}
  temp_file_guard(const temp_file_guard&) = delete;
  temp_file_guard& operator=(const temp_file_guard&) = delete;
  ~temp_file_guard() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  void release() noexcept { path_.clear(); }

 private:
  std::filesystem::path path_;
};

std::filesystem::path temp_path_for(const std::filesystem::path& file) {
  std::array<unsigned char, 8> random{};
  randombytes_buf(random.data(), random.size());
  std::array<char, 2 * random.size() + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), random.data(), random.size());
  // A leading dot and a fixed marker keep it out of the names readers look for.
  return file.parent_path() / ("." + file.filename().string() + ".tmp-" + hex.data());
}

bool write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const auto written = ::write(fd, content.data(), content.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

// The directory entry of a rename or link is durable only once the directory is synced.
bool directory_sync(const std::filesystem::path& dir) {
  fd_guard fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  return fd.get() >= 0 && ::fsync(fd.get()) == 0;
}

}  // namespace

result<void> file_write_atomic(const std::filesystem::path& file, std::string_view content,
                               file_access access, file_overwrite overwrite) {
  const auto temp = temp_path_for(file);
  const ::mode_t mode = access == file_access::owner_only ? 0600 : 0644;
  fd_guard fd(::open(temp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode));
  if (fd.get() < 0) return errc::io_error;
  temp_file_guard cleanup(temp);
  if (!write_all(fd.get(), content) || ::fsync(fd.get()) != 0 || !fd.close_now())
    return errc::io_error;

  if (overwrite == file_overwrite::refuse) {
    if (::link(temp.c_str(), file.c_str()) != 0)
      return errno == EEXIST ? errc::already_exists : errc::io_error;
  } else {
    if (::rename(temp.c_str(), file.c_str()) != 0) return errc::io_error;
    cleanup.release();
  }
  if (!directory_sync(file.parent_path())) return errc::io_error;
  return {};
}

result<std::string> file_read(const std::filesystem::path& file, std::size_t max_bytes) {
  fd_guard fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return errc::io_error;
  std::string content;
  std::array<char, 4096> buffer{};
  for (;;) {
    const auto got = ::read(fd.get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return errc::io_error;
    if (got == 0) return content;
    if (content.size() + static_cast<std::size_t>(got) > max_bytes) return errc::payload_too_large;
    content.append(buffer.data(), static_cast<std::size_t>(got));
  }
}

result<void> directory_create_private(const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return {};
  }
  return errc::io_error;
}

std::string_view line_trim(std::string_view text) noexcept {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' ||
                           text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

}  // namespace licensor::keys
