#include "store/lmdb/group_commit.hpp"

#include <chrono>
#include <vector>

#include "licensor/thread_name.hpp"
#include "store/lmdb/redo_log.hpp"

namespace licensor::store {
namespace {

// A job that throws (a bug) fails alone; it must not take the writer thread down.
result<void> run_job(const group_commit::job& work, txn& transaction) {
  try {
    return work(transaction);
  } catch (...) {
    return errc::internal;
  }
}

}  // namespace

group_commit::group_commit(const lmdb_env& env, std::size_t max_batch)
    : env_(env), max_batch_(max_batch), writer_([this] { run(); }) {}

group_commit::~group_commit() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  writer_.join();
}

void group_commit::submit(job work, done on_done) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back({std::move(work), std::move(on_done)});
  }
  wake_.notify_one();
}

void group_commit::run() {
  thread_name_set("store-writer");
  for (;;) {
    std::deque<pending> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping with nothing left
      // Whatever queued up while the previous batch was being synced joins this one.
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    run_batch(batch);
  }
}

void group_commit::metrics_write(metrics::exposition& out) const {
  using kind = metrics::exposition::kind;
  out.family("licensor_store_commit_batch_size", kind::histogram, "Write jobs committed together in one transaction");
  out.sample({}, batch_sizes_.snapshot());
  out.family("licensor_store_commit_duration_seconds", kind::histogram,
             "Time to commit one batch and make it durable (LMDB's commit, the redo log's write and sync)");
  out.sample({}, commit_seconds_.snapshot());
  std::size_t queued = 0;
  {
    std::lock_guard lock(mutex_);
    queued = queue_.size();
  }
  out.family("licensor_store_write_queue_jobs", kind::gauge, "Write jobs waiting for the writer");
  out.sample({}, static_cast<double>(queued));
}

result<void> group_commit::commit_timed(txn& transaction) {
  const auto started = std::chrono::steady_clock::now();
  auto committed = transaction.commit();
  // With a redo log, LMDB's commit did not sync: the batch is durable once its record is.
  if (committed && env_.redo() != nullptr) committed = env_.redo()->append(transaction.changes_take());
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  commit_seconds_.observe(took.count());
  return committed;
}

void group_commit::run_batch(std::deque<pending>& batch) {
  batch_sizes_.observe(static_cast<double>(batch.size()));
  // Most batches have no failing job: run them all in the one transaction. Only when one fails
  // is the batch run again with a nested transaction per job. (A nested transaction costs LMDB
  // a 3 MiB dirty-page table and a copy of every page the job touches, which was most of the
  // writer's own CPU time; a job may run more than once by the store's contract.)
  if (!run_together(batch)) run_nested(batch);
  if (env_.redo() != nullptr && env_.redo()->checkpoint_due(env_)) env_.redo()->checkpoint_begin(env_);
}

bool group_commit::run_together(std::deque<pending>& batch) {
  auto parent = env_.begin_write();
  if (!parent) {
    for (auto& item : batch) item.on_done(parent.error());
    return true;
  }
  for (auto& item : batch) {
    if (!run_job(item.work, *parent)) return false;  // the destructor aborts everything
  }
  const auto committed = commit_timed(*parent);
  for (auto& item : batch) item.on_done(committed);
  return true;
}

void group_commit::run_nested(std::deque<pending>& batch) {
  std::vector<result<void>> outcomes;
  outcomes.reserve(batch.size());
  auto parent = env_.begin_write();
  if (!parent) {
    for (auto& item : batch) item.on_done(parent.error());
    return;
  }
  for (auto& item : batch) {
    auto child = parent->nested();
    if (!child) {
      outcomes.emplace_back(child.error());
      continue;
    }
    auto outcome = run_job(item.work, *child);
    if (outcome) outcome = child->commit();
    outcomes.push_back(outcome);  // a failed child aborts in its destructor
  }
  const auto committed = commit_timed(*parent);
  for (std::size_t i = 0; i < batch.size(); ++i)
    batch[i].on_done(committed ? outcomes[i] : committed);
}

}  // namespace licensor::store
