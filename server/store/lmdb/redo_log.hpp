// The redo log of a durable store.
//
// LMDB's own durable commit writes every page a batch touched where it lies in the file, then
// syncs: several scattered pages per license, most of an issuance's time on this kind of disk.
// A durable store instead runs LMDB without its fsync and makes each batch durable by appending
// the batch's changes here: one sequential write and one fdatasync. The pages reach the disk at
// a checkpoint, for every batch since the last, once per page however often it changed.
//
// Why the store is whole after a crash, even of the machine (when pages LMDB wrote since the
// last checkpoint may be on disk, missing, or half there):
//  - a checkpoint syncs LMDB's file, then records, in `checkpoint` (written aside and renamed),
//    the last log record it covers and a copy of LMDB's two header (meta) pages as they were;
//  - until the next checkpoint is recorded, a read transaction pins that snapshot, so LMDB reuses
//    none of its pages: later commits write elsewhere, and into the header pages;
//  - opening puts the recorded header pages back when LMDB's differ, which gives the checkpoint's
//    snapshot whole, then applies every later record in order, and checkpoints.
// A record cut short (its checksum fails) ends the log: its batch was never acknowledged.
//
// Files in the store's directory: `checkpoint`; segments `redo-<16 hex digits: first record>.log`,
// a new one at each checkpoint (older ones go once a checkpoint covers them), each a magic and
// then its records, summed with XXH3-128 (segments without the magic, from earlier versions, are
// summed with BLAKE2b and still replay); `redo.lock`, held by the one process that writes the store.
//
// Threads: append, checkpoint_due and checkpoint_begin are called by the writer alone, between
// batches (nothing is being committed); a started checkpoint syncs on the log's own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "store/lmdb/lmdb.hpp"

namespace licensor::store {

class redo_log {
 public:
  /// Before LMDB opens `dir`: takes the writer's lock, and puts back the header pages the last
  /// checkpoint recorded. Null when another process holds the lock: it writes the store, this
  /// one may only read. Errors: io_error; storage_error when the checkpoint is damaged, a log has
  /// no checkpoint, or the header pages must be put back while another process has LMDB open.
  [[nodiscard]] static result<std::unique_ptr<redo_log>> claim(const std::filesystem::path& dir);
  redo_log(const redo_log&) = delete;
  redo_log& operator=(const redo_log&) = delete;
  /// Waits for a running checkpoint.
  ~redo_log();

  /// After LMDB opened `dir` (without its fsync): applies every record after the checkpoint, in
  /// order, each in a write transaction of its own. Errors: storage_error when a record is out of
  /// order, or a damaged record is followed by others; storage_* from LMDB.
  [[nodiscard]] result<void> replay(const lmdb_env& env);

  /// Appends one batch's changes (txn::changes_take) and returns once they are on disk. After a
  /// failure every later call fails too (storage_error): the store takes no more writes, and
  /// whether the failed batch persists is known only after the restart replays the log.
  [[nodiscard]] result<void> append(std::string_view changes);

  /// Whether an append or a checkpoint failed: the store takes no more writes until a restart.
  [[nodiscard]] bool failed() const noexcept { return failed_; }

  /// Whether a checkpoint should start: enough log, time or growth of `env`'s file since the
  /// last, and none running.
  [[nodiscard]] bool checkpoint_due(const lmdb_env& env) const;
  /// Starts a checkpoint of everything committed so far; it syncs on the log's thread.
  void checkpoint_begin(const lmdb_env& env);
  /// Makes everything committed so far durable and drops the log's records: waits for a running
  /// checkpoint, then checkpoints on the caller's thread. Errors: io_error, storage_*.
  [[nodiscard]] result<void> checkpoint(const lmdb_env& env);

 private:
  struct pending {
    txn pin;                    // the snapshot being made durable, pinned
    std::uint64_t covered = 0;  // its last record
    std::string headers;        // LMDB's two header pages at that snapshot
    std::vector<std::filesystem::path> covered_segments;
  };
  redo_log(std::filesystem::path dir, int lock_fd);
  [[nodiscard]] result<pending> checkpoint_start(const lmdb_env& env);
  [[nodiscard]] result<void> checkpoint_finish(pending&& work);
  [[nodiscard]] result<void> segment_open();
  void checkpointer_run();

  const std::filesystem::path dir_;
  const int lock_fd_;
  int data_fd_ = -1;     // LMDB's data file: its header pages, and its sync
  int segment_fd_ = -1;  // the segment records are appended to
  std::uint64_t covered_ = 0;   // the last record the durable checkpoint covers
  std::uint64_t next_seq_ = 1;  // the next record's number
  std::uint64_t bytes_since_checkpoint_ = 0;
  std::uint64_t used_at_checkpoint_ = 0;  // LMDB's pages in use when the last checkpoint started
  std::chrono::steady_clock::time_point checkpoint_started_ = std::chrono::steady_clock::now();
  std::atomic<bool> failed_ = false;  // an append or a checkpoint failed: no more writes

  std::optional<txn> pinned_;  // the durable checkpoint's snapshot
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<pending> queued_;  // handed to the checkpointer
  bool running_ = false;           // a checkpoint is queued or syncing
  bool stopping_ = false;
  std::thread checkpointer_;
};

}  // namespace licensor::store
