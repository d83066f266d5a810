// LMDB behind RAII: one environment per process, named sub-databases, short transactions.
// Values are copied out (std::string) before a transaction ends, so nothing points into the
// map after commit. Every LMDB error is mapped to errc::storage_full (MDB_MAP_FULL, or a full
// disk: ENOSPC, EDQUOT) or errc::storage_error; "not found" is an empty optional, never an error.
//
// Threads: the environment is shared; a read_txn belongs to the thread that made it (MDB_NOTLS
// lets workers open many); write transactions are made only by the group-commit writer.
//
// A durable store keeps a redo log (redo_log.hpp) and runs LMDB without its own fsync: every
// change a write transaction makes is then also recorded, in order, for the log.
#pragma once

#include <lmdb.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "licensor/result.hpp"

namespace licensor::store {

class lmdb_env;
class redo_log;

/// A transaction, read-only or read-write. Aborted on destruction unless committed.
class txn {
 public:
  txn(const txn&) = delete;
  txn& operator=(const txn&) = delete;
  txn(txn&& other) noexcept;
  txn& operator=(txn&& other) noexcept;
  ~txn();

  [[nodiscard]] result<std::optional<std::string>> get(std::string_view db, std::string_view key) const;
  /// As get, without a copy: the value in LMDB's map, valid until this transaction writes or
  /// ends (LMDB's rule for mdb_get's data).
  [[nodiscard]] result<std::optional<std::string_view>> get_view(std::string_view db, std::string_view key) const;
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
  /// The parent must stay where it is (not moved) while the child lives.
  [[nodiscard]] result<txn> nested();
  [[nodiscard]] result<void> commit();
  void abort() noexcept;

  /// The changes this write transaction made (puts and erases, in order), when its environment
  /// keeps a redo log; empty otherwise, or when it changed nothing. Taken once committed.
  [[nodiscard]] std::string changes_take() noexcept;
  /// Makes again the changes `changes_take` gave (replaying the redo log). Errors: malformed
  /// when `changes` is not such a text, storage_* from LMDB.
  [[nodiscard]] result<void> changes_apply(std::string_view changes);

 private:
  friend class lmdb_env;
  txn(const lmdb_env* env, MDB_txn* handle, bool recorded) : env_(env), handle_(handle), recorded_(recorded) {}
  [[nodiscard]] result<MDB_dbi> dbi(std::string_view db) const;
  void change_record(char op, std::string_view db, std::string_view key, std::string_view value);

  const lmdb_env* env_ = nullptr;
  MDB_txn* handle_ = nullptr;
  bool recorded_ = false;   // the environment keeps a redo log
  std::string changes_;     // what a recorded transaction changed, joined to the parent's on commit
  txn* parent_ = nullptr;   // of a nested transaction
};

class lmdb_env {
 public:
  /// Opens (creating) the environment in `dir` with the named sub-databases.
  /// `sync_commits` false skips LMDB's fsync at commit: tests and benchmarks, or a store whose
  /// redo log makes commits durable (then attach the log before the first write).
  [[nodiscard]] static result<std::unique_ptr<lmdb_env>> open(const std::filesystem::path& dir,
                                                              const std::vector<std::string>& databases,
                                                              std::size_t map_size_bytes, bool sync_commits);
  /// Opens the environment in `dir` read-only and without a lock file (a snapshot nobody else
  /// writes): nothing in `dir` changes. Errors: storage_error when a sub-database is missing.
  [[nodiscard]] static result<std::unique_ptr<lmdb_env>> open_snapshot(const std::filesystem::path& dir,
                                                                       const std::vector<std::string>& databases);
  lmdb_env(const lmdb_env&) = delete;
  lmdb_env& operator=(const lmdb_env&) = delete;
  ~lmdb_env();

  [[nodiscard]] result<txn> begin_read() const;
  /// Errors: storage_error when another process keeps the store's redo log (this one only reads),
  /// or when the redo log failed.
  [[nodiscard]] result<txn> begin_write() const;
  /// Forces buffered commits to disk (used at shutdown): with a redo log, a checkpoint.
  void sync() const noexcept;

  /// From now on write transactions record their changes for `log`, which this environment
  /// keeps (and closes before itself).
  void redo_attach(std::unique_ptr<redo_log> log);
  /// The redo log, or null (a store that is not durable, or one another process writes).
  [[nodiscard]] redo_log* redo() const noexcept { return redo_.get(); }
  /// Refuses write transactions: another process writes this store.
  void writes_refuse() noexcept { writes_refused_ = true; }

  struct usage {
    std::uint64_t map_bytes = 0;   ///< the address space reserved (the most the store may grow to)
    std::uint64_t used_bytes = 0;  ///< pages in use up to the last one written
  };
  [[nodiscard]] usage usage_get() const noexcept;
  /// The size of LMDB's pages (its two header pages lead the data file).
  [[nodiscard]] std::size_t page_size() const noexcept;

  /// Writes a compacted copy of the environment, as it is when the call starts, to `file` (which
  /// must not exist), and flushes it to disk. It reads in its own read transaction, so writers go
  /// on meanwhile. Errors: io_error, storage_*.
  [[nodiscard]] result<void> copy_compact(const std::filesystem::path& file) const;

 private:
  friend class txn;
  lmdb_env() = default;
  MDB_env* handle_ = nullptr;
  std::map<std::string, MDB_dbi, std::less<>> dbis_;
  std::unique_ptr<redo_log> redo_;
  bool writes_refused_ = false;
};

/// Whether a process has the environment in `dir` open: LMDB holds a shared lock on its lock
/// file's first byte for as long as an environment is open, so an exclusive one cannot be taken.
[[nodiscard]] bool lmdb_in_use(const std::filesystem::path& dir);

/// Maps an LMDB return code to the project's error.
[[nodiscard]] errc lmdb_error(int rc) noexcept;

}  // namespace licensor::store
