// LMDB behind RAII: one environment per process, named sub-databases, short transactions.
// Values are copied out (std::string) before a transaction ends, so nothing points into the
// map after commit. Every LMDB error is mapped to errc::storage_full (MDB_MAP_FULL, or a full
// disk: ENOSPC, EDQUOT) or errc::storage_error; "not found" is an empty optional, never an error.
//
// Threads: the environment is shared; a read_txn belongs to the thread that made it (MDB_NOTLS
// lets workers open many); write transactions are made only by the group-commit writer.
#pragma once

#include <lmdb.h>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "licensor/result.hpp"

namespace licensor::store {

class lmdb_env;

/// A transaction, read-only or read-write. Aborted on destruction unless committed.
class txn {
 public:
  txn(const txn&) = delete;
  txn& operator=(const txn&) = delete;
  txn(txn&& other) noexcept;
  txn& operator=(txn&& other) noexcept;
  ~txn();

  [[nodiscard]] result<std::optional<std::string>> get(std::string_view db, std::string_view key) const;
  [[nodiscard]] result<void> put(std::string_view db, std::string_view key, std::string_view value);
  /// Inserts only if absent. Errors: conflict when the key exists.
  [[nodiscard]] result<void> insert(std::string_view db, std::string_view key, std::string_view value);
  /// Deleting an absent key is not an error.
  [[nodiscard]] result<void> erase(std::string_view db, std::string_view key);
  /// Calls `visit(key, value)` for keys starting with `prefix`, from `after` (exclusive, if not
  /// empty), in key order, until it returns false or `limit` entries were visited.
  [[nodiscard]] result<void> scan(std::string_view db, std::string_view prefix, std::string_view after,
                                  std::size_t limit,
                                  const std::function<bool(std::string_view, std::string_view)>& visit) const;
  /// As scan, in reverse key order: keys starting with `prefix`, from `before` (exclusive, if not
  /// empty; else from the last such key) down.
  [[nodiscard]] result<void> scan_back(std::string_view db, std::string_view prefix, std::string_view before,
                                       std::size_t limit,
                                       const std::function<bool(std::string_view, std::string_view)>& visit) const;
  /// How many entries `db` holds (LMDB keeps the number: no scan).
  [[nodiscard]] result<std::uint64_t> entries(std::string_view db) const;
  /// The last key of a database (for append-only sequences), or empty.
  [[nodiscard]] result<std::optional<std::string>> last_key(std::string_view db) const;
  /// The last key starting with `prefix`, or empty.
  [[nodiscard]] result<std::optional<std::string>> last_key_under(std::string_view db, std::string_view prefix) const;

  /// A nested write transaction: its changes join the parent's on commit, vanish on abort.
  [[nodiscard]] result<txn> nested();
  [[nodiscard]] result<void> commit();
  void abort() noexcept;

 private:
  friend class lmdb_env;
  txn(const lmdb_env* env, MDB_txn* handle) : env_(env), handle_(handle) {}
  [[nodiscard]] result<MDB_dbi> dbi(std::string_view db) const;

  const lmdb_env* env_ = nullptr;
  MDB_txn* handle_ = nullptr;
};

class lmdb_env {
 public:
  /// Opens (creating) the environment in `dir` with the named sub-databases.
  /// `durable` false skips fsync at commit (tests and benchmarks only).
  [[nodiscard]] static result<std::unique_ptr<lmdb_env>> open(const std::filesystem::path& dir,
                                                              const std::vector<std::string>& databases,
                                                              std::size_t map_size_bytes, bool durable);
  /// Opens the environment in `dir` read-only and without a lock file (a snapshot nobody else
  /// writes): nothing in `dir` changes. Errors: storage_error when a sub-database is missing.
  [[nodiscard]] static result<std::unique_ptr<lmdb_env>> open_snapshot(const std::filesystem::path& dir,
                                                                       const std::vector<std::string>& databases);
  lmdb_env(const lmdb_env&) = delete;
  lmdb_env& operator=(const lmdb_env&) = delete;
  ~lmdb_env();

  [[nodiscard]] result<txn> begin_read() const;
  [[nodiscard]] result<txn> begin_write() const;
  /// Forces buffered commits to disk (used at shutdown).
  void sync() const noexcept;

  struct usage {
    std::uint64_t map_bytes = 0;   ///< the address space reserved (the most the store may grow to)
    std::uint64_t used_bytes = 0;  ///< pages in use up to the last one written
  };
  [[nodiscard]] usage usage_get() const noexcept;

  /// Writes a compacted copy of the environment, as it is when the call starts, to `file` (which
  /// must not exist), and flushes it to disk. It reads in its own read transaction, so writers go
  /// on meanwhile. Errors: io_error, storage_*.
  [[nodiscard]] result<void> copy_compact(const std::filesystem::path& file) const;

 private:
  friend class txn;
  lmdb_env() = default;
  MDB_env* handle_ = nullptr;
  std::map<std::string, MDB_dbi, std::less<>> dbis_;
};

/// Maps an LMDB return code to the project's error.
[[nodiscard]] errc lmdb_error(int rc) noexcept;

}  // namespace licensor::store
