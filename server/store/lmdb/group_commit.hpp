// Group commit: one writer thread runs queued write jobs together in a single LMDB write
// transaction and commits once, so N concurrent requests cost one fsync instead of N.
// A job that fails leaves no trace and the others still commit: a batch runs in one transaction,
// and if a job fails it is run again with a nested transaction per job (so a job may run twice,
// as the store's contract allows). A job's `done` callback runs only after the batch's commit is durable (synced by
// LMDB, or by the environment's redo log: redo_log.hpp), so a request is answered only once its change is on disk.
// Between batches the writer starts the redo log's checkpoints.
//
// The writer waits for each batch's sync before it takes the next. Under full issuance load it
// spent about 70 to 80% of its time committing and syncing (one run, from /metrics), yet a sync
// thread that let it run the next batch meanwhile (with the batch growing until the log was free)
// measured no faster on 2 cores: issuance is bound by the cores' CPU there, not by the sync.
// Issuance alone on a fresh store, the builds interleaved, medians in licenses a second: with 64
// clients 5,321 as here, 5,337 with a sync thread, 5,304 with growing batches too (four rounds);
// with 16 clients 4,408, 4,344 and 4,551 (three rounds), within the machine's noise between rounds.
//
// Thread safety: submit() may be called from any thread. `done` runs on the writer thread
// and must be quick (post the answer to the caller's executor).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "metrics/metrics.hpp"
#include "store/lmdb/lmdb.hpp"

namespace licensor::store {

class group_commit {
 public:
  using job = std::function<result<void>(txn&)>;
  using done = std::function<void(result<void>)>;

  explicit group_commit(const lmdb_env& env, std::size_t max_batch = 512);
  group_commit(const group_commit&) = delete;
  group_commit& operator=(const group_commit&) = delete;
  /// Runs every queued job, then stops the writer.
  ~group_commit();

  void submit(job work, done on_done);

  /// Batch sizes, commit latency (LMDB's commit, and the redo log's write and sync) and the queue's depth,
  /// for GET /metrics.
  void metrics_write(metrics::exposition& out) const;

 private:
  struct pending {
    job work;
    done on_done;
  };
  void run();
  void run_batch(std::deque<pending>& batch);
  /// Runs and commits the batch in one transaction; false (nothing written, no `done` called)
  /// when a job failed.
  bool run_together(std::deque<pending>& batch);
  /// Runs each job in a nested transaction, commits the ones that succeed.
  void run_nested(std::deque<pending>& batch);
  /// Commits `transaction` and makes it durable, timing it.
  result<void> commit_timed(txn& transaction);

  const lmdb_env& env_;
  const std::size_t max_batch_;
  metrics::histogram batch_sizes_{metrics::histogram::sizes()};
  metrics::histogram commit_seconds_{metrics::histogram::latency_seconds()};
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<pending> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace licensor::store
