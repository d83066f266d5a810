#include "store/lmdb/group_commit.hpp"

#include <vector>

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

void group_commit::run_batch(std::deque<pending>& batch) {
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
  const auto committed = parent->commit();
  for (std::size_t i = 0; i < batch.size(); ++i)
    batch[i].on_done(committed ? outcomes[i] : committed);
}

}  // namespace licensor::store
