#include "passphrase.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace licensor::cli {
namespace {

// Echo off while the passphrase is typed; restored on every path out.
class echo_off {
 public:
  explicit echo_off(int fd) : fd_(fd) {
    active_ = ::tcgetattr(fd_, &saved_) == 0;
    if (!active_) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = ::tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
  }
  echo_off(const echo_off&) = delete;
  echo_off& operator=(const echo_off&) = delete;
  ~echo_off() {
    if (active_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
  }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

void tty_write(int fd, std::string_view text) {
  while (!text.empty()) {
    const auto written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(written));
  }
}

// One line typed on the terminal, without its newline.
std::string tty_prompt(int fd, std::string_view prompt) {
  tty_write(fd, prompt);
  std::string line;
  {
    const echo_off quiet(fd);
    char c = 0;
    for (;;) {
      const auto got = ::read(fd, &c, 1);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0 || c == '\n') break;
      line.push_back(c);
    }
    sodium_memzero(&c, sizeof c);
  }
  tty_write(fd, "\n");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

class tty_file {
 public:
  tty_file() : fd_(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) {}
  tty_file(const tty_file&) = delete;
  tty_file& operator=(const tty_file&) = delete;
  ~tty_file() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int fd() const noexcept { return fd_; }

 private:
  int fd_;
};

}  // namespace

result<std::string> passphrase_read(std::string_view env_name, bool confirm) {
  if (const char* value = std::getenv(std::string(env_name).c_str()); value != nullptr && *value != '\0')
    return std::string(value);

  const tty_file tty;
  if (tty.fd() < 0) return errc::bad_request;
  std::string passphrase = tty_prompt(tty.fd(), "Passphrase: ");
  if (passphrase.empty()) return errc::bad_request;
  if (confirm) {
    std::string again = tty_prompt(tty.fd(), "Repeat passphrase: ");
    const bool same = again == passphrase;
    sodium_memzero(again.data(), again.size());
    if (!same) {
      sodium_memzero(passphrase.data(), passphrase.size());
      return errc::wrong_password;
    }
  }
  return passphrase;
}

}  // namespace licensor::cli
