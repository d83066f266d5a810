// Runs build/server/licensord as a child process on loopback, for black-box tests and benchmarks.
//
// The constructor makes a fresh temporary directory, starts
//   licensord --listen 127.0.0.1:0 --data-dir <tmp>/data --log-level warn [extra args]
// with LICENSOR_OPERATOR_TOKEN set to a random token, and waits for the line
// "licensord listening on https://127.0.0.1:PORT" on its stdout (licensord creates the data dir:
// development keys, a self-signed certificate, LMDB under data/store; with LICENSOR_TEST_STORE=
// postgresql, --store names a fresh database of the test's PostgreSQL, support/pg_test_cluster.hpp).
// Its stderr goes to <tmp>/licensord.stderr (see stderr_text()).
//
// The child gets SIGKILL if the test process dies. The destructor kills a running server and
// removes the temporary directory. Failures to start throw std::runtime_error with the
// server's stderr. Not thread-safe: drive one object from one thread (clients may be many).
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "support/https_client.hpp"
#include "support/pg_test_cluster.hpp"

namespace licensor::testing {

/// Resource limits set in the child before it runs licensord (0: inherited).
struct process_limits {
  rlim_t open_files = 0;  ///< RLIMIT_NOFILE, soft and hard
};

class licensord_process {
 public:
  /// Starts the server. `extra_args` are appended to the command line.
  explicit licensord_process(std::vector<std::string> extra_args = {}, process_limits limits = {});
  ~licensord_process();
  licensord_process(const licensord_process&) = delete;
  licensord_process& operator=(const licensord_process&) = delete;

  [[nodiscard]] unsigned short port() const { return port_; }
  [[nodiscard]] const std::string& operator_token() const { return operator_token_; }
  [[nodiscard]] const std::filesystem::path& data_dir() const { return data_dir_; }
  [[nodiscard]] bool running() const { return pid_ > 0; }
  [[nodiscard]] pid_t pid() const { return pid_; }

  /// A new client for this server, authenticated as the operator or with `bearer`.
  [[nodiscard]] https_client operator_client() const { return https_client(port_, operator_token_); }
  [[nodiscard]] https_client client(std::string bearer = {}) const { return https_client(port_, std::move(bearer)); }

  /// Sends SIGTERM and waits up to `patience` for the exit. Returns the exit code, or
  /// 128 + signal when a signal ended it, or -1 when it did not exit in time (then it is killed).
  int stop(std::chrono::milliseconds patience = std::chrono::seconds(40));
  /// Sends SIGKILL and reaps the process.
  void kill();
  /// Starts again on the same data dir (and the same operator token). The port may change.
  void restart();
  /// The operator token the next restart() passes in LICENSOR_OPERATOR_TOKEN.
  void operator_token_set(std::string token) { operator_token_ = std::move(token); }
  /// The --store connection string the server runs on, the test store's or one given in the
  /// extra arguments (empty: LMDB in data_dir()/store).
  [[nodiscard]] const std::string& store_conninfo() const { return store_conninfo_; }
  /// Everything the server's store holds, as bytes: LMDB's data file, or PostgreSQL's plain
  /// pg_dump of the database (to look for what must never be stored).
  [[nodiscard]] std::string store_contents() const;
  /// What the server wrote to stderr so far.
  [[nodiscard]] std::string stderr_text() const;

 private:
  void start();
  int reap(std::chrono::milliseconds patience);

  std::filesystem::path temp_dir_;
  std::filesystem::path data_dir_;
  std::string binary_;
  std::vector<std::string> extra_args_;
  process_limits limits_;
  std::string operator_token_;
  std::string store_conninfo_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  unsigned short port_ = 0;
};

}  // namespace licensor::testing
