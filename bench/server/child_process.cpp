#include "child_process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace licensor::bench {

child_process::child_process(const std::vector<std::string>& argv, const std::vector<std::string>& environment) {
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    for (const auto& entry : environment) ::putenv(const_cast<char*>(entry.c_str()));
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::_Exit(127);
  }
  ::close(out[1]);
  FILE* output = ::fdopen(out[0], "r");
  char line[512];
  while (port_ == 0 && std::fgets(line, sizeof line, output) != nullptr) {
    const std::string text(line);
    if (text.find("listening on https://") == std::string::npos) continue;
    port_ = static_cast<unsigned short>(std::stoi(text.substr(text.rfind(':') + 1)));
  }
  // The pipe stays open (the child may print more); closing our end is harmless either way.
  std::fclose(output);
  if (port_ == 0) throw std::runtime_error("server did not start: " + argv[0]);
}

child_process::~child_process() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

}  // namespace licensor::bench
