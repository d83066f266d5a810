// The server's background work, each a pass for the job runner:
// - "subscriptions": renewals, expiries, trial conversions and scheduled changes whose time has
//   come, one store job per due license (so one that fails rolls back alone);
// - "keyring": the keyring watch (core/keyring_state.hpp);
// - "resign": re-signing the licenses of a revoked key, batch by batch, until none is left
//   (resumes after a restart: the store keeps the task);
// - "expiry": the events time alone causes: expiry warnings, trials ending, expiries
//   (core/expiry_notices.hpp);
// - "compliance": the compliance sweep over free licenses, when due (core/compliance.hpp);
// - "campaigns": the run of a campaign, batch by batch (resumes after a restart: the campaign
//   keeps its position) (core/campaigns.hpp);
// - "outbox": hourly, prunes delivered and dead events and the delivery logs older than the
//   retention (core/webhook_delivery.hpp's delivery_prune).
// Every pass calls the core directly; none fakes a request.
#pragma once

#include <functional>
#include <string>

#include "core/compliance.hpp"
#include "core/expiry_notices.hpp"
#include "core/keyring_state.hpp"
#include "jobs/job_runner.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// What the jobs share: the store, the keys, the issuer and the clock (the test clock included).
struct job_context {
  store::store& store;
  keyring_state& keyring;
  std::string issuer;
  std::function<std::int64_t()> clock;
  expiry_sweep_settings expiry = {};
  std::int64_t event_retention_seconds = 30 * 86'400;
  compliance_settings compliance = {};
  std::int64_t leeway_seconds = 60;
  std::size_t campaign_batch = 256;  ///< licenses per store job of a campaign's run
};

[[nodiscard]] pass_outcome subscription_renewals_pass(const job_context& context);
[[nodiscard]] pass_outcome keyring_watch_pass(const job_context& context);
[[nodiscard]] pass_outcome revoked_resign_pass(const job_context& context);
[[nodiscard]] pass_outcome expiry_sweep_pass(const job_context& context);
[[nodiscard]] pass_outcome outbox_prune_pass(const job_context& context);
[[nodiscard]] pass_outcome compliance_sweep_pass(const job_context& context);
[[nodiscard]] pass_outcome campaign_run_pass(const job_context& context);

/// Adds the jobs to `runner` with their intervals.
void background_jobs_add(job_runner& runner, const job_context& context);

}  // namespace licensor::server
