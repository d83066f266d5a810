// Backups of the embedded store. A backup is a folder holding data.mdb, a compacted copy of the
// environment taken in one read transaction (so writers go on, and the copy is the store as of
// one commit), and manifest.json (store::backup_manifest). A restore checks a snapshot whole
// (checksum, every record readable, record counts, counters equal to a recount) before it
// replaces anything, and keeps the store it replaced.
// Internal to store/lmdb/ and the composition root's commands (app/).
#pragma once

#include <filesystem>
#include <string>

#include "store/lmdb/lmdb.hpp"
#include "store/store.hpp"

namespace licensor::store {

/// Writes a snapshot of `env` and its manifest into `dir` (created, mode 0700; it must not
/// exist). Errors: conflict when `dir` exists, io_error, storage_*.
[[nodiscard]] result<backup_manifest> lmdb_backup(const lmdb_env& env, const std::filesystem::path& dir,
                                                  std::int64_t now);

/// Checks the snapshot in `dir` without changing it. On a snapshot that fails a check, returns
/// malformed and says why in `problem`. Errors also: schema_too_new, io_error.
[[nodiscard]] result<backup_manifest> lmdb_backup_check(const std::filesystem::path& dir, std::string& problem);

/// Replaces the store in `store_dir` by the snapshot in `dir`: checks the snapshot, copies it
/// beside the store, migrates and checks the copy again, then swaps it in; the replaced store is
/// moved to `replaced_to` (which must not exist). Nothing is touched unless every check passed.
/// Errors: malformed (with `problem`), conflict when a process has the store open, io_error.
[[nodiscard]] result<backup_manifest> lmdb_restore(const std::filesystem::path& dir,
                                                   const std::filesystem::path& store_dir,
                                                   const std::filesystem::path& replaced_to, std::string& problem);

}  // namespace licensor::store
