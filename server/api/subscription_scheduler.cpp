#include "api/subscription_scheduler.hpp"

#include <cstdio>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/subscription_ops.hpp"

namespace licensor::server {

namespace {

constexpr const char* job_name = "subscriptions";

// One pass: its licenses' answers arrive one by one on the writer thread; the last one reports.
struct pass_state {
  pass_state(service& svc, std::size_t due, std::function<void(std::size_t)> done)
      : svc(svc), left(due), done(std::move(done)) {}
  void finish(const std::string& key, const api_response& answer) {
    std::unique_lock lock(mutex);
    if (answer.status >= 400) {
      ++failed;
      if (first_error.empty()) first_error = key.substr(key.size() > 17 ? 17 : 0) + ": " + answer.body.dump();
    } else {
      changed += answer.body.value("changed", false) ? 1 : 0;
    }
    if (--left != 0) return;
    lock.unlock();
    const auto error = failed == 0 ? std::string() : std::to_string(failed) + " due license(s) failed; first " + first_error;
    report(svc, error);
    done(changed);
  }
  static void report(service& svc, const std::string& error) {
    const auto failures = svc.jobs().record(job_name, svc.now(), error);
    // Logged on the 1st, 2nd, 4th, 8th... failing pass in a row: visible, without a line every 2 s.
    if (failures != 0 && (failures & (failures - 1)) == 0)
      std::fprintf(stderr, "licensord: subscription scheduler: %llu failing pass(es) in a row: %s\n",
                   static_cast<unsigned long long>(failures), error.c_str());
  }

  service& svc;
  std::mutex mutex;
  std::size_t left;
  std::size_t failed = 0;
  std::size_t changed = 0;
  std::string first_error;
  std::function<void(std::size_t)> done;
};

}  // namespace

void subscription_run_due(service& svc, std::function<void(std::size_t)> done) {
  // A scheduler change is an operator change with no Idempotency-Key: the request lives as long
  // as the commit call (the job copies what it needs).
  static const api_request no_request{};
  const api_call call{no_request, caller{caller_kind::operator_, "", "scheduler"}, {}, {}, nlohmann::json::object()};
  std::vector<std::string> due;
  signing_context signing;
  try {
    due = subscription_due_list(svc.read(), svc.now());
    if (!due.empty()) signing = signing_of(svc);
  } catch (const std::exception& error) {
    pass_state::report(svc, error.what());
    return done(0);
  }
  if (due.empty()) {  // nothing due: no write transaction (and no fsync) at all
    pass_state::report(svc, "");
    return done(0);
  }
  // One write job per license: the group commit still commits them together, but each runs in
  // its own nested transaction, so a license that fails rolls back alone.
  auto pass = std::make_shared<pass_state>(svc, due.size(), std::move(done));
  for (const auto& key : due) {
    svc.commit(call, [&svc, signing, key](store::txn& write) {
      return answer({{"changed", subscription_due_apply(svc, write, key, signing, svc.now())}});
    }, [pass, key](api_response answer) { pass->finish(key, answer); });
  }
}

subscription_scheduler::subscription_scheduler(service& svc, std::chrono::milliseconds interval)
    : service_(svc), interval_(interval), thread_([this] { run(); }) {}

subscription_scheduler::~subscription_scheduler() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void subscription_scheduler::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    auto finished = std::make_shared<std::promise<void>>();
    auto waited = finished->get_future();
    subscription_run_due(service_, [finished](std::size_t) { finished->set_value(); });
    waited.wait();
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace licensor::server
