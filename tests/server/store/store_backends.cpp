#include "store_backends.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <stdexcept>

#include "store/lmdb/lmdb_store.hpp"
#include "store/pg/pg_store.hpp"

namespace licensor::store::testing {

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

// One PostgreSQL cluster for the whole test process (tests/pg_cluster), started on first use
// and stopped, with its folder, at exit. Each store directory a test opens is a database of it.
class pg_test_cluster {
 public:
  pg_test_cluster()
      : dir_(std::filesystem::temp_directory_path() / ("licensor-pg-" + std::to_string(::getpid()))),
        conninfo_(command_output(std::string(LICENSOR_PG_CLUSTER) + " start '" + dir_.string() + "'")) {}
  ~pg_test_cluster() {
    (void)std::system((std::string(LICENSOR_PG_CLUSTER) + " stop '" + dir_.string() + "'").c_str());
    std::filesystem::remove_all(dir_);
  }
  pg_test_cluster(const pg_test_cluster&) = delete;
  pg_test_cluster& operator=(const pg_test_cluster&) = delete;

  /// The connection string of the database kept for `store_dir`, created on first use.
  std::string database_for(const std::filesystem::path& store_dir) {
    const auto name = "store_" + std::to_string(std::hash<std::string>{}(store_dir.string()));
    command_output("psql -q -X '" + conninfo_ + "' -tAc \"SELECT 1 FROM pg_database WHERE datname = '" + name +
                   "'\" | grep -q 1 || psql -q -X '" + conninfo_ + "' -c 'CREATE DATABASE " + name + "'");
    return conninfo_ + " dbname=" + name;
  }

 private:
  std::filesystem::path dir_;
  std::string conninfo_;
};

pg_test_cluster& pg_cluster() {
  static pg_test_cluster cluster;
  return cluster;
}

}  // namespace

const std::vector<backend>& store_backends() {
  static const std::vector<backend> backends{
      {"lmdb",
       [](const std::filesystem::path& dir) {
         auto opened = lmdb_store_open(dir, lmdb_options{.map_size_bytes = std::size_t{1} << 30, .durable = false});
         if (!opened) throw std::runtime_error("lmdb_store_open failed");
         return std::move(*opened);
       }},
      {"postgresql",
       [](const std::filesystem::path& dir) {
         auto opened = pg_store_open(pg_options{.conninfo = pg_cluster().database_for(dir)});
         if (!opened) throw std::runtime_error("pg_store_open failed");
         return std::move(*opened);
       }},
  };
  return backends;
}

}  // namespace licensor::store::testing
