// The embedded store: the storage port on one LMDB environment in a data directory, written by
// one group-commit writer thread (so write jobs never conflict and are never re-run here).
// The only header of store/lmdb/ that other layers include; it shows nothing of LMDB.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>

#include "store/store.hpp"

namespace licensor::store {

struct lmdb_options {
  std::size_t map_size_bytes = std::size_t{64} << 30;  ///< address space, not disk
  bool durable = true;                                 ///< false skips fsync (tests and benchmarks only)
};

/// Opens the store in `dir`, creating it (mode 0700) on first use and migrating an older schema.
/// Errors: schema_too_new when a newer Licensor wrote the data, io_error when `dir` cannot be
/// made, storage_* from LMDB.
[[nodiscard]] result<std::unique_ptr<store>> lmdb_store_open(const std::filesystem::path& dir,
                                                            const lmdb_options& options);

}  // namespace licensor::store
