#include "jobs/webhook_delivery.hpp"

#include <iterator>
#include <memory>

#include "core/refusal.hpp"
#include "core/webhook_delivery.hpp"
#include "domain/webhook_delivery.hpp"
#include "licensor/thread_name.hpp"

namespace licensor::server {
namespace {

constexpr std::int64_t prune_every_seconds = 3'600;
constexpr const char* job_name = "webhooks";

// The results of one endpoint's round, filled in as answers come.
struct endpoint_round {
  delivery_plan plan;
  std::vector<std::vector<delivery_result>> results;
};

}  // namespace

webhook_delivery::webhook_delivery(store::store& store, std::function<std::int64_t()> clock, job_health& health,
                                   metrics::registry& metrics, webhook_delivery_options options)
    : store_(store),
      clock_(std::move(clock)),
      health_(health),
      options_(std::move(options)),
      client_(options_.outbound),
      delivered_(&metrics.counter_at("licensor_webhook_attempts_total", "Webhook delivery attempts by result.",
                                     {{"result", "delivered"}})),
      failed_(&metrics.counter_at("licensor_webhook_attempts_total", "Webhook delivery attempts by result.",
                                  {{"result", "failed"}})),
      latency_(&metrics.histogram_at("licensor_webhook_attempt_duration_seconds",
                                     "Time from sending a webhook to its answer (or failure).",
                                     metrics::histogram::latency_seconds())) {}

webhook_delivery::~webhook_delivery() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void webhook_delivery::start() {
  thread_ = std::thread([this] {
    thread_name_set("webhooks");
    loop();
  });
}

void webhook_delivery::run_now(std::function<void(std::size_t)> done) {
  {
    std::lock_guard lock(mutex_);
    run_now_waiting_.push_back(std::move(done));
  }
  wake_.notify_all();
}

void webhook_delivery::loop() {
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

std::size_t webhook_delivery::round(round_outcome& outcome) {
  const auto started = std::chrono::steady_clock::now();
  const auto now = clock_();
  std::vector<std::unique_ptr<endpoint_round>> rounds;
  std::size_t attempts = 0;
  std::string error;
  try {
    const auto view = must(store_.read());
    for (const auto& endpoint : must(view->webhook_endpoints())) {
      auto plan = delivery_plan_make(*view, endpoint, now, options_.batch);
      if (plan.empty()) continue;
      outcome.more_waiting = outcome.more_waiting || plan.more_waiting;
      auto next = std::make_unique<endpoint_round>();
      next->results.resize(plan.chains.size());
      for (std::size_t c = 0; c < plan.chains.size(); ++c) next->results[c].resize(plan.chains[c].sends.size());
      next->plan = std::move(plan);
      rounds.push_back(std::move(next));
    }
  } catch (const refusal& refused) {
    error = std::string(errc_code(refused.code));
  }

  // Each chain's first send goes out at once; the next only once the one before was delivered.
  std::function<void(endpoint_round&, std::size_t, std::size_t)> send;
  send = [&](endpoint_round& r, std::size_t c, std::size_t i) {
    const auto& chain = r.plan.chains[c];
    if (i >= chain.sends.size()) return;
    const auto message = delivery_message_make(r.plan.endpoint, chain.sends[i].event, clock_());
    ++attempts;
    client_.post({r.plan.endpoint.url, message.headers, message.body}, [&, c, i](const outbound_response& answer) {
      auto& result = r.results[c][i];
      result = {true, answer.status, answer.latency_ms, answer.error, answer.retry_after};
      latency_->observe(answer.latency_ms / 1000.0);
      if (answer.error.empty() && attempt_verdict_of(answer.status) == attempt_verdict::delivered) {
        delivered_->add();
        send(r, c, i + 1);
      } else {
        failed_->add();
      }
    });
  };
  for (auto& r : rounds)
    for (std::size_t c = 0; c < r->plan.chains.size(); ++c) send(*r, c, 0);
  client_.run();

  if (!rounds.empty()) {
    const auto recorded = submit_wait(store_, [&rounds, now](store::write_view& write) {
      return refusal_caught([&] {
        for (const auto& r : rounds) delivery_record(write, r->plan, r->results, now);
      });
    });
    if (!recorded && error.empty()) error = std::string(errc_code(recorded.error()));
  }
  if (now - pruned_at_ >= prune_every_seconds) {
    const auto pruned = submit_wait(store_, [retention = options_.retention_seconds, now](store::write_view& write) {
      return refusal_caught([&] { (void)delivery_prune(write, retention, now); });
    });
    if (pruned) pruned_at_ = now;
    else if (error.empty()) error = std::string(errc_code(pruned.error()));
  }
  if (attempts > 0 || !error.empty() || !rounds.empty())
    health_.record(job_name, now, error,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  outcome.progressed = error.empty() && !rounds.empty();
  if (!error.empty()) outcome.more_waiting = false;
  return attempts;
}

}  // namespace licensor::server
