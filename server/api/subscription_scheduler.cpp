#include "api/subscription_scheduler.hpp"

#include <cstdio>
#include <future>

#include "api/subscription_ops.hpp"

namespace licensor::server {

void subscription_run_due(service& svc, std::function<void(std::size_t)> done) {
  // A scheduler pass is an operator change with no Idempotency-Key: the request lives as long
  // as the commit call (the job copies what it needs).
  static const api_request no_request{};
  const api_call call{no_request, caller{caller_kind::operator_, "", "scheduler"}, {}, {}, nlohmann::json::object()};
  signing_context signing;
  try {
    // Nothing due: no write transaction (and no fsync) at all.
    if (!subscription_due_any(svc.read(), svc.now())) return done(0);
    signing = signing_of(svc);
  } catch (...) {
    done(0);
    return;
  }
  svc.commit(call, [&svc, signing](store::txn& write) {
    const auto changed = subscription_due_apply(svc, write, signing, svc.now());
    return answer({{"changed", changed}});
  }, [done = std::move(done)](api_response answer) {
    if (answer.status >= 400) {
      std::fprintf(stderr, "licensord: subscription scheduler pass failed: %s\n", answer.body.dump().c_str());
      return done(0);
    }
    done(answer.body.value("changed", std::size_t{0}));
  });
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
