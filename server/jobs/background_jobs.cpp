#include "jobs/background_jobs.hpp"

#include <memory>

#include "core/campaigns.hpp"
#include "core/keys.hpp"
#include "core/refusal.hpp"
#include "core/signed_commit.hpp"
#include "core/subscriptions.hpp"
#include "core/webhook_delivery.hpp"

namespace licensor::server {
namespace {

using namespace std::chrono_literals;

signing signing_of(const job_context& context) { return {context.keyring.current(), context.issuer}; }

std::string error_text(errc code) { return std::string(errc_code(code)); }

}  // namespace

pass_outcome subscription_renewals_pass(const job_context& context) {
  const auto now = context.clock();
  std::vector<store::schedule_entry> due;
  try {
    due = subscription_due_list(*must(context.store.read()), now);
  } catch (const refusal& refused) {
    return {0, error_text(refused.code)};
  }
  pass_outcome outcome;
  std::size_t failed = 0;
  const auto with = signing_of(context);
  for (const auto& entry : due) {
    auto changed = std::make_shared<bool>(false);
    const auto applied = signed_commit_wait(context.store, with, [entry, now, changed](store::write_view& write, const signing& keys) {
      return refusal_caught([&] { *changed = subscription_due_apply(write, entry, keys, now); });
    });
    if (!applied) {
      if (failed++ == 0) outcome.error = entry.license_id + ": " + error_text(applied.error());
    } else if (*changed) {
      ++outcome.changed;
    }
  }
  if (failed > 0) outcome.error = std::to_string(failed) + " due license(s) failed; first " + outcome.error;
  return outcome;
}

pass_outcome keyring_watch_pass(const job_context& context) {
  context.keyring.watch(context.store, context.clock());
  return {};
}

pass_outcome revoked_resign_pass(const job_context& context) {
  std::vector<store::resign_task> tasks;
  try {
    tasks = must(must(context.store.read())->resign_tasks());
  } catch (const refusal& refused) {
    return {0, error_text(refused.code)};
  }
  pass_outcome outcome;
  for (const auto& task : tasks) {
    // Batch after batch: each is a short store job, so issuance goes on between them.
    for (bool complete = false; !complete;) {
      const auto with = signing_of(context);
      const auto now = context.clock();
      auto progress = std::make_shared<resign_progress>();
      const auto applied = signed_commit_wait(context.store, with, [kid = task.kid, now, progress](
                                                                       store::write_view& write, const signing& keys) {
        return refusal_caught([&] { *progress = resign_batch_apply(write, kid, keys, now); });
      });
      if (!applied) return {outcome.changed, task.kid + ": " + error_text(applied.error())};
      outcome.changed += progress->resigned;
      complete = progress->complete;
    }
  }
  return outcome;
}

pass_outcome expiry_sweep_pass(const job_context& context) {
  constexpr std::size_t batch = 2'000;  // index entries per kind of notice and store job
  pass_outcome outcome;
  for (bool more = true; more;) {
    const auto now = context.clock();
    expiry_sweep_outcome swept;
    const auto applied = submit_wait(context.store, [&](store::write_view& write) {
      return refusal_caught([&] { swept = expiry_sweep_apply(write, context.expiry, now, batch); });
    });
    if (!applied) return {outcome.changed, error_text(applied.error())};
    outcome.changed += swept.events;
    more = swept.more;
  }
  return outcome;
}

pass_outcome outbox_prune_pass(const job_context& context) {
  pass_outcome outcome;
  const auto now = context.clock();
  std::size_t pruned = 0;
  const auto applied = submit_wait(context.store, [&](store::write_view& write) {
    return refusal_caught([&] { pruned = delivery_prune(write, context.event_retention_seconds, now); });
  });
  if (!applied) return {0, error_text(applied.error())};
  outcome.changed = pruned;
  return outcome;
}

pass_outcome compliance_sweep_pass(const job_context& context) {
  constexpr std::size_t batch = 256;  // licenses per store job, as re-signing does
  pass_outcome outcome;
  for (bool running = true; running;) {
    const auto with = signing_of(context);
    const auto now = context.clock();
    auto done = std::make_shared<compliance_batch_outcome>();
    const auto applied = signed_commit_wait(context.store, with, [settings = context.compliance,
                                                                  licenses = license_settings{{}, context.leeway_seconds},
                                                                  now, done](store::write_view& write, const signing& keys) {
      return refusal_caught([&] { *done = compliance_sweep_batch(write, settings, licenses, keys, now, batch); });
    });
    if (!applied) return {outcome.changed, error_text(applied.error())};
    running = done->running;
    outcome.changed += done->changed;
  }
  return outcome;
}

pass_outcome campaign_run_pass(const job_context& context) {
  pass_outcome outcome;
  for (bool running = true; running;) {
    const auto with = signing_of(context);
    const auto now = context.clock();
    auto ran = std::make_shared<bool>(false);
    const auto applied = signed_commit_wait(context.store, with, [batch = context.campaign_batch, now, ran](
                                                                     store::write_view& write, const signing& keys) {
      return refusal_caught([&] { *ran = campaign_run_batch(write, keys, now, batch); });
    });
    if (!applied) return {outcome.changed, error_text(applied.error())};
    running = *ran;
    outcome.changed += *ran ? 1 : 0;
  }
  return outcome;
}

void background_jobs_add(job_runner& runner, const job_context& context) {
  runner.add("subscriptions", 2s, job_scope::one_replica, [context] { return subscription_renewals_pass(context); });
  runner.add("keyring", 1s, job_scope::every_replica, [context] { return keyring_watch_pass(context); });
  runner.add("resign", 5s, job_scope::one_replica, [context] { return revoked_resign_pass(context); });
  runner.add("expiry", 60s, job_scope::one_replica, [context] { return expiry_sweep_pass(context); });
  runner.add("outbox", 1h, job_scope::one_replica, [context] { return outbox_prune_pass(context); });
  // Checks each minute whether a sweep, a warning or a deadline is due; a sweep itself is monthly.
  runner.add("compliance", 60s, job_scope::one_replica, [context] { return compliance_sweep_pass(context); });
  runner.add("campaigns", 5s, job_scope::one_replica, [context] { return campaign_run_pass(context); });
}

}  // namespace licensor::server
