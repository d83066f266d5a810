#include "store_backends.hpp"

#include <stdexcept>

#include "store/lmdb/lmdb_store.hpp"
#include "store/pg/pg_store.hpp"
#include "support/pg_test_cluster.hpp"

namespace licensor::store::testing {

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
         auto opened = pg_store_open(pg_options{.conninfo = licensor::testing::pg_test_database(dir.string()), .password = {}, .writers = 4});
         if (!opened) throw std::runtime_error("pg_store_open failed");
         return std::move(*opened);
       }},
  };
  return backends;
}

}  // namespace licensor::store::testing
