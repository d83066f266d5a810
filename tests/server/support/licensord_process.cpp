#include "support/licensord_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace licensor::testing {
namespace {

std::string random_hex(std::size_t bytes) {
  std::random_device device;
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    const auto byte = device() & 0xff;
    out += digits[byte >> 4];
    out += digits[byte & 15];
  }
  return out;
}

std::filesystem::path temp_dir_make() {
  std::string pattern = (std::filesystem::temp_directory_path() / "licensord-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("licensord_process: mkdtemp failed");
  return pattern;
}

constexpr std::string_view listening_prefix = "licensord listening on https://";

}  // namespace

licensord_process::licensord_process(std::vector<std::string> extra_args, process_limits limits)
    : temp_dir_(temp_dir_make()),
      data_dir_(temp_dir_ / "data"),
      binary_(std::string(LICENSOR_BINARY_DIR) + "/server/licensord"),
      extra_args_(std::move(extra_args)),
      limits_(limits),
      operator_token_("lop_test_" + random_hex(24)) {
  try {
    start();
  } catch (...) {
    kill();
    std::error_code ignored;
    std::filesystem::remove_all(temp_dir_, ignored);
    throw;
  }
}

licensord_process::~licensord_process() {
  kill();
  std::error_code ignored;
  std::filesystem::remove_all(temp_dir_, ignored);
}

void licensord_process::start() {
  if (running()) throw std::runtime_error("licensord_process: already running");
  std::vector<std::string> args{binary_, "--listen", "127.0.0.1:0", "--data-dir", data_dir_.string(), "--log-level", "warn"};
  // The store a suite runs on (LICENSOR_TEST_STORE): a database of its own per server, kept
  // across restarts as the data dir is.
  if (test_store_is_postgresql()) {
    if (store_conninfo_.empty()) store_conninfo_ = pg_test_database(temp_dir_.string());
    args.insert(args.end(), {"--store", store_conninfo_});
  }
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  // A --store among the extra arguments (the last --store counts, as in licensord) names it too.
  for (std::size_t i = 0; i + 1 < extra_args_.size(); ++i)
    if (extra_args_[i] == "--store") store_conninfo_ = extra_args_[i + 1];
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view item(*entry);
    if (item.starts_with("LICENSOR_OPERATOR_TOKEN=") || item.starts_with("LICENSOR_PASSPHRASE=")) continue;
    env.emplace_back(item);
  }
  env.push_back("LICENSOR_OPERATOR_TOKEN=" + operator_token_);
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& item : env) envp.push_back(item.data());
  envp.push_back(nullptr);
  const std::string stderr_path = (temp_dir_ / "licensord.stderr").string();

  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("licensord_process: pipe failed");
  const int err_fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (err_fd < 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw std::runtime_error("licensord_process: cannot open " + stderr_path);
  }
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    if (limits_.open_files != 0) {
      const rlimit files{limits_.open_files, limits_.open_files};
      if (::setrlimit(RLIMIT_NOFILE, &files) != 0) ::_exit(126);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_fd);
  if (child < 0) {
    ::close(out_pipe[0]);
    throw std::runtime_error("licensord_process: fork failed");
  }
  pid_ = child;
  stdout_fd_ = out_pipe[0];

  // Read stdout until the listening line, for at most 30 s.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string seen;
  for (;;) {
    const auto at = seen.find(listening_prefix);
    const auto newline = at == std::string::npos ? std::string::npos : seen.find('\n', at);
    if (newline != std::string::npos) {
      const auto line = seen.substr(at + listening_prefix.size(), newline - at - listening_prefix.size());
      const auto colon = line.rfind(':');
      port_ = static_cast<unsigned short>(std::stoi(line.substr(colon + 1)));
      return;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("licensord_process: no listening line in 30 s; stderr:\n" + stderr_text());
    pollfd wait{stdout_fd_, POLLIN, 0};
    if (::poll(&wait, 1, static_cast<int>(left.count())) < 0 && errno != EINTR)
      throw std::runtime_error("licensord_process: poll failed");
    if (wait.revents == 0) continue;
    char chunk[512];
    const auto got = ::read(stdout_fd_, chunk, sizeof chunk);
    if (got <= 0) {
      const int code = reap(std::chrono::seconds(5));
      throw std::runtime_error("licensord_process: licensord exited (" + std::to_string(code) +
                               ") before listening; stdout:\n" + seen + "\nstderr:\n" + stderr_text());
    }
    seen.append(chunk, static_cast<std::size_t>(got));
  }
}

int licensord_process::reap(std::chrono::milliseconds patience) {
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + patience;
  int status = 0;
  int code = -1;
  for (;;) {
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
      break;
    }
    if (done < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      code = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
  return code;
}

int licensord_process::stop(std::chrono::milliseconds patience) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const int status = reap(patience);
  // A graceful stop that fails (a sanitizer report at exit, an abort) says why.
  if (status != 0) std::cerr << "licensord_process: stop answered " << status << "; stderr:\n" << stderr_text() << '\n';
  return status;
}

void licensord_process::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  (void)reap(std::chrono::seconds(10));
}

void licensord_process::restart() {
  if (running()) throw std::runtime_error("licensord_process: restart while running; stop() first");
  start();
}

std::string licensord_process::stderr_text() const {
  std::ifstream in(temp_dir_ / "licensord.stderr", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string licensord_process::store_contents() const {
  if (store_conninfo_.empty()) {
    std::ifstream data(data_dir_ / "store" / "data.mdb", std::ios::binary);
    return {std::istreambuf_iterator<char>(data), std::istreambuf_iterator<char>()};
  }
  std::string out;
  FILE* dump = ::popen(("pg_dump --no-password '" + store_conninfo_ + "'").c_str(), "r");
  if (dump == nullptr) return out;
  char chunk[4096];
  for (std::size_t got; (got = std::fread(chunk, 1, sizeof chunk, dump)) > 0;) out.append(chunk, got);
  return ::pclose(dump) == 0 ? out : std::string();
}

}  // namespace licensor::testing
