// Runs a shell command and returns what it printed: for tests and benchmarks that drive the
// project's scripts (tests/pg_cluster, scripts/pg-ha).
#pragma once

#include <cstdio>
#include <stdexcept>
#include <string>

namespace licensor::testing {

/// `command`'s standard output, without its trailing newlines and spaces. Throws
/// std::runtime_error when it cannot run or exits non-zero.
inline std::string command_output(const std::string& command) {
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buffer[4096];
  for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, got);
  if (::pclose(pipe) != 0) throw std::runtime_error(command + " failed: " + out);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace licensor::testing
