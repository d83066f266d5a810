// Starts a server process for a benchmark and learns its port from the line
// "... listening on https://ADDR:PORT" it prints. Stopped with SIGTERM on destruction.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace licensor::bench {

class child_process {
 public:
  /// `environment` entries are "NAME=value", added to this process's environment.
  child_process(const std::vector<std::string>& argv, const std::vector<std::string>& environment);
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  ~child_process();

  [[nodiscard]] unsigned short port() const noexcept { return port_; }
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

 private:
  pid_t pid_ = -1;
  unsigned short port_ = 0;
};

}  // namespace licensor::bench
