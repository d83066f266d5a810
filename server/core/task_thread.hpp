// One thread that runs posted tasks in order: where work that must not run on the store's writer
// (signing) or on a network thread goes. The destructor runs what is queued, then joins.
//
// Thread safety: post() may be called from any thread, including from a task.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "licensor/thread_name.hpp"

namespace licensor::server {

class task_thread {
 public:
  /// `name` names the thread (licensor/thread_name.hpp).
  explicit task_thread(std::string name) : name_(std::move(name)), thread_([this] { run(); }) {}
  task_thread(const task_thread&) = delete;
  task_thread& operator=(const task_thread&) = delete;
  ~task_thread() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  void post(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
  }

 private:
  void run() {
    thread_name_set(name_);
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::string name_;
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace licensor::server
