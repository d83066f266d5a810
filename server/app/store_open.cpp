#include "app/store_open.hpp"

#include "store/lmdb/lmdb_store.hpp"
#include "store/pg/pg_store.hpp"

namespace licensor::server {

result<std::unique_ptr<store::store>> configured_store_open(const daemon_config& config, std::string& where) {
  if (config.store.empty()) {
    where = "store " + (config.data_dir / "store").string();
    return store::lmdb_store_open(config.data_dir / "store", {});
  }
  where = "PostgreSQL store";
  store::pg_options options;
  options.conninfo = config.store;
  if (!config.store_password_file.empty()) {
    std::string error;
    auto password = secret_file_read(config.store_password_file, error);
    if (!password) {
      where += " (" + error + ")";
      return errc::io_error;
    }
    options.password = std::move(*password);
  }
  return store::pg_store_open(options);
}

}  // namespace licensor::server
