// The compliance sweep: the free-licence programme's registration rules (domain/compliance.hpp),
// checked again over every free license, monthly by default, as the programme's verifier does.
//
// - A license that breaks a rule gets a finding (which rules, since when) and a deadline
//   (`deadline_seconds` later). Its token is re-signed with the rules as `notice` and an `exp`
//   no later than the deadline, so an app offline shows a banner and stops at the deadline;
//   online validation answers valid, with the notices, until then.
//   Event "license.compliance_flagged" (again when the set of rules changes), and
//   "license.compliance_deadline_near" `warn_before_seconds` before the deadline.
// - A license fixed in time (transferred to the right customer, the customer's name given, ...)
//   is cleared at the next sweep, or at once by compliance_check_now: the finding goes, the
//   token is re-signed with its normal expiry ("license.compliance_cleared").
// - At the deadline, a license still wrong expires (status expired, "license.compliance_expired")
//   and gives back its customer's free slot and its place under the partner's cap, as a deleted
//   license does (core/free_slots.hpp: held until its last token, which ends at the deadline).
//
// A sweep runs batch by batch (one store job each, so issuance goes on between them) over the
// licenses in store order, and resumes where it stood after a restart: its state is kept in the
// store (store::read_view::compliance_sweep_get). It starts when the interval has passed since the last
// one began, when an operator asks for it, and when a flagged license's warning or deadline
// comes (so deadlines are kept to the job runner's interval, not to the month).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>

#include "core/caller.hpp"
#include "core/license_tokens.hpp"
#include "core/licenses.hpp"
#include "store/store.hpp"

namespace licensor::server {

struct compliance_settings {
  std::int64_t interval_seconds = 30 * 86'400;    ///< between the starts of two sweeps
  std::int64_t deadline_seconds = 30 * 86'400;    ///< from a finding to its deadline
  std::int64_t warn_before_seconds = 7 * 86'400;  ///< "deadline near" this long before it
};

/// True when `license` breaks none of the registration rules at `now` (the app version rule
/// aside): what a campaign's "registered correctly" asks (core/campaigns.hpp).
[[nodiscard]] bool compliance_registered_correctly(const store::read_view& view, const license_record& license,
                                                   std::int64_t now);

/// When the next sweep starts by itself (0: at the next pass). The first comes one interval
/// after the job first ran on the store, or when an operator asks.
[[nodiscard]] std::int64_t compliance_next_run_at(const compliance_sweep_record& state, const compliance_settings& settings);

/// The sweep's state as the API shows it.
[[nodiscard]] nlohmann::json compliance_state_view(const compliance_sweep_record& state, const compliance_settings& settings);

/// Asks for a sweep at the next pass (an operator's "run now"). Audited.
void compliance_sweep_request(store::write_view& write, const caller& who, std::int64_t now);

/// What one batch did: `running` while the sweep goes on (call again); `changed` licenses
/// flagged, warned, cleared, expired or admitted to a campaign.
struct compliance_batch_outcome {
  bool running = false;
  std::uint64_t changed = 0;
};

/// One batch: starts a sweep if one is due, checks up to `limit` licenses (and admits each to
/// the open campaigns it now qualifies for), finishes the sweep after the last. Signs through `with` (core/signed_commit.hpp). Throws refusal on store errors.
[[nodiscard]] compliance_batch_outcome compliance_sweep_batch(store::write_view& write, const compliance_settings& settings,
                                          const license_settings& licenses, const signing& with, std::int64_t now,
                                          std::size_t limit);

/// Checks the license `id` now, as the sweep would, campaigns included (a partner who fixed a registration need not
/// wait for the next sweep). Returns it as it is after. Throws license_not_found.
[[nodiscard]] license_record compliance_check_now(store::write_view& write, const caller& who, std::string_view id,
                                                  const compliance_settings& settings, const license_settings& licenses,
                                                  const signing& with, std::int64_t now);

}  // namespace licensor::server
