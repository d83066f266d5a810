#include "jobs/delivery_job.hpp"

#include <iterator>

#include "core/refusal.hpp"
#include "licensor/thread_name.hpp"
#include "licensor/thread_priority.hpp"

namespace licensor::server {
namespace {

// The results of one endpoint's round, filled in as they come.
struct endpoint_round {
  delivery_plan plan;
  std::vector<std::vector<delivery_result>> results;
};

std::string metric_name(const delivery_transport& transport, std::string_view what) {
  return std::string(transport.metric_prefix()) + "_" + std::string(what);
}

}  // namespace

delivery_job::delivery_job(store::store& store, std::function<std::int64_t()> clock, job_health& health,
                           const replica_state& replica, metrics::registry& metrics,
                           std::unique_ptr<delivery_transport> transport, delivery_job_options options)
    : store_(store),
      clock_(std::move(clock)),
      health_(health),
      replica_(replica),
      transport_(std::move(transport)),
      options_(options),
      delivered_(&metrics.counter_at(metric_name(*transport_, "attempts_total"), "Delivery attempts by result.",
                                     {{"result", "delivered"}})),
      failed_(&metrics.counter_at(metric_name(*transport_, "attempts_total"), "Delivery attempts by result.",
                                  {{"result", "failed"}})),
      latency_(&metrics.histogram_at(metric_name(*transport_, "attempt_duration_seconds"),
                                     "Time from sending to the answer (or failure).",
                                     metrics::histogram::latency_seconds())) {}

delivery_job::~delivery_job() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void delivery_job::start() {
  thread_ = std::thread([this] {
    thread_name_set(std::string(transport_->name()));
    thread_priority_lower();
    loop();
  });
}

void delivery_job::run_now(std::function<void(std::size_t)> done) {
  {
    std::lock_guard lock(mutex_);
    run_now_waiting_.push_back(std::move(done));
  }
  wake_.notify_all();
}

void delivery_job::loop() {
  std::size_t attempts_since_asked = 0;
  for (;;) {
    std::deque<std::function<void(std::size_t)>> asked;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      asked.swap(run_now_waiting_);
    }
    round_outcome outcome;
    attempts_since_asked += round(outcome);
    // A full batch goes straight on; otherwise the next round waits a poll, so that under load
    // rounds are few and large (one store write each). run_now() goes on until nothing is due.
    if (outcome.more_waiting || (outcome.progressed && !asked.empty())) {
      std::lock_guard lock(mutex_);
      run_now_waiting_.insert(run_now_waiting_.begin(), std::make_move_iterator(asked.begin()),
                              std::make_move_iterator(asked.end()));
      continue;
    }
    for (auto& done : asked) done(attempts_since_asked);
    if (!asked.empty()) attempts_since_asked = 0;
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, options_.poll, [this] { return stopping_ || !run_now_waiting_.empty(); });
  }
}

std::size_t delivery_job::round(round_outcome& outcome) {
  if (!replica_.runs_shared_work(lease_clock_now())) return 0;  // another replica delivers
  const auto started = std::chrono::steady_clock::now();
  const auto now = clock_();
  std::vector<std::unique_ptr<endpoint_round>> rounds;
  std::size_t attempts = 0;
  std::string error;
  try {
    const auto view = must(store_.read());
    for (const auto& endpoint : must(view->webhook_endpoints())) {
      if (!transport_->serves(*view, endpoint)) continue;
      auto plan = delivery_plan_make(*view, endpoint, now, options_.batch);
      if (plan.empty()) continue;
      outcome.more_waiting = outcome.more_waiting || plan.more_waiting;
      auto next = std::make_unique<endpoint_round>();
      next->results.resize(plan.chains.size());
      for (std::size_t c = 0; c < plan.chains.size(); ++c) next->results[c].resize(plan.chains[c].sends.size());
      next->plan = std::move(plan);
      rounds.push_back(std::move(next));
    }
    std::vector<const delivery_plan*> plans;
    for (const auto& r : rounds) plans.push_back(&r->plan);
    if (!plans.empty()) transport_->prepare(plans, now);
  } catch (const refusal& refused) {
    error = std::string(errc_code(refused.code));
    rounds.clear();
  }

  // Each chain's first send goes out at once; the next only once the one before was delivered.
  std::function<void(endpoint_round&, std::size_t, std::size_t)> send;
  send = [&](endpoint_round& r, std::size_t c, std::size_t i) {
    if (i >= r.plan.chains[c].sends.size()) return;
    transport_->send(r.plan, c, i, [&, c, i](const delivery_result& result) {
      r.results[c][i] = result;
      if (!result.skipped) {
        ++attempts;
        latency_->observe(result.latency_ms / 1000.0);
        (result.delivered() ? delivered_ : failed_)->add();
      }
      if (result.skipped || result.delivered()) send(r, c, i + 1);
    });
  };
  for (auto& r : rounds)
    for (std::size_t c = 0; c < r->plan.chains.size(); ++c) send(*r, c, 0);
  transport_->run();

  if (!rounds.empty()) {
    const auto recorded = submit_wait(store_, [&rounds, now](store::write_view& write) {
      return refusal_caught([&] {
        for (const auto& r : rounds) delivery_record(write, r->plan, r->results, now);
      });
    });
    if (!recorded && error.empty()) error = std::string(errc_code(recorded.error()));
  }
  if (attempts > 0 || !error.empty() || !rounds.empty())
    health_.record(std::string(transport_->name()), now, error,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  outcome.progressed = error.empty() && !rounds.empty();
  if (!error.empty()) outcome.more_waiting = false;
  return attempts;
}

}  // namespace licensor::server
