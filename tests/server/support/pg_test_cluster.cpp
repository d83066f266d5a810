#include "support/pg_test_cluster.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <stdexcept>

namespace licensor::testing {
namespace {

// The output of a shell command; throws when it fails.
std::string command_output(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  char chunk[256];
  while (std::fgets(chunk, sizeof chunk, pipe) != nullptr) out += chunk;
  if (::pclose(pipe) != 0) throw std::runtime_error(command + " failed");
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class cluster {
 public:
  cluster()
      : dir_(std::filesystem::temp_directory_path() / ("licensor-pg-" + std::to_string(::getpid()))),
        conninfo_(command_output(std::string(LICENSOR_PG_CLUSTER) + " start '" + dir_.string() + "'")) {}
  ~cluster() {
    (void)std::system((std::string(LICENSOR_PG_CLUSTER) + " stop '" + dir_.string() + "'").c_str());
    std::filesystem::remove_all(dir_);
  }
  cluster(const cluster&) = delete;
  cluster& operator=(const cluster&) = delete;

  std::string database(const std::string& key) {
    std::lock_guard lock(mutex_);
    const auto name = "store_" + std::to_string(std::hash<std::string>{}(key));
    command_output("psql -q -X '" + conninfo_ + "' -tAc \"SELECT 1 FROM pg_database WHERE datname = '" + name +
                   "'\" | grep -q 1 || psql -q -X '" + conninfo_ + "' -c 'CREATE DATABASE " + name + "'");
    return conninfo_ + " dbname=" + name;
  }

 private:
  std::filesystem::path dir_;
  std::string conninfo_;
  std::mutex mutex_;
};

}  // namespace

bool test_store_is_postgresql() {
  const char* chosen = std::getenv("LICENSOR_TEST_STORE");
  return chosen != nullptr && std::string_view(chosen) == "postgresql";
}

std::string pg_test_database(const std::string& key) {
  static cluster shared;
  return shared.database(key);
}

}  // namespace licensor::testing
