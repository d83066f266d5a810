#include "core/compliance.hpp"

#include <algorithm>

#include "core/audit.hpp"
#include "core/campaigns.hpp"
#include "core/events.hpp"
#include "core/free_slots.hpp"
#include "core/refusal.hpp"
#include "core/views.hpp"
#include "domain/compliance.hpp"

namespace licensor::server {

namespace {

const caller sweep_caller = caller_named(caller_kind::operator_, "compliance-sweep");

// When the sweep must look at a flagged license again: its warning, then its deadline.
std::int64_t next_check_of(const compliance_finding& finding, const compliance_settings& settings) {
  return finding.deadline_warned ? finding.deadline : finding.deadline - settings.warn_before_seconds;
}

void next_check_note(compliance_sweep_record& state, std::int64_t at) {
  if (state.next_check_at == 0 || at < state.next_check_at) state.next_check_at = at;
}

// True when the customer holds a free license of the license's product issued before it (ties
// by id), which the programme lets keep its place.
bool earlier_free_held(const store::read_view& view, const license_record& license) {
  if (license.customer_id.empty()) return false;
  for (const auto& other : must(view.licenses_of_customer(license.customer_id))) {
    if (other.id == license.id || other.product != license.product || !compliance_applies(other)) continue;
    if (other.issued_at < license.issued_at || (other.issued_at == license.issued_at && other.id < license.id)) return true;
  }
  return false;
}

std::vector<std::string> rules_broken_now(const store::read_view& view, const license_record& license, std::int64_t now) {
  std::optional<customer_record> customer;
  if (!license.customer_id.empty()) customer = must(view.customer_get(license.customer_id));
  const auto partner = found(view.partner_get(license.partner_id), errc::internal);
  const auto product = must(view.product_get(license.product));
  return compliance_rules_broken({license, customer ? &*customer : nullptr, partner, product ? &*product : nullptr,
                                  earlier_free_held(view, license), now});
}

nlohmann::json finding_details(const compliance_finding& finding) {
  return {{"rules", finding.rules}, {"since", time_or_null(finding.since)}, {"deadline", time_or_null(finding.deadline)}};
}

// Stores `license` changed at `now` with a token for its new state, audited and told.
void license_compliance_store(store::write_view& write, const caller& who, license_record& license,
                              const compliance_finding& before, std::string_view what, const signing& with,
                              std::int64_t now) {
  license.updated_at = now;
  license_sign(license, with);
  must(write.license_put(license));
  audit_append(write, who, "license.compliance_" + std::string(what), license.id, now,
               {{"before", finding_details(before)}, {"after", finding_details(license.compliance)}});
  license_event_append(write, "compliance_" + std::string(what), license, now);
}

// Checks one license as the sweep does; counts what it did into `counts` and notes its next
// check into `state`.
void license_compliance_apply(store::write_view& write, const caller& who, license_record& license,
                              const compliance_settings& settings, const license_settings& licenses,
                              const signing& with, std::int64_t now, compliance_counts& counts,
                              compliance_sweep_record& state) {
  if (!compliance_applies(license)) return;
  ++counts.checked;
  const auto before = license.compliance;
  const auto rules = rules_broken_now(write, license, now);
  if (rules.empty()) {
    if (!before.flagged()) return;
    license.compliance = {};
    license_compliance_store(write, who, license, before, "cleared", with, now);
    ++counts.cleared;
    return;
  }
  if (!before.flagged()) {
    license.compliance = {rules, now, now + settings.deadline_seconds, false};
    license_compliance_store(write, who, license, before, "flagged", with, now);
    ++counts.flagged;
  } else if (now >= before.deadline) {
    // Its last token ends at the deadline: the slots are held until then (plus the leeway).
    free_license_leave(write, license, now, licenses.leeway_seconds);
    license.status = license_status::expired;
    license.updated_at = now;
    must(write.license_put(license));
    audit_append(write, who, "license.compliance_expired", license.id, now, {{"before", finding_details(before)}});
    license_event_append(write, "compliance_expired", license, now);
    ++counts.expired;
    return;
  } else if (rules != before.rules) {
    license.compliance.rules = rules;
    license_compliance_store(write, who, license, before, "flagged", with, now);
    ++counts.flagged;
  }
  if (!license.compliance.deadline_warned && now >= license.compliance.deadline - settings.warn_before_seconds) {
    license.compliance.deadline_warned = true;
    must(write.license_put(license));
    auto data = license_public_view(license);
    data["days_left"] = (license.compliance.deadline - now + 86'399) / 86'400;
    event_append(write, "license.compliance_deadline_near", license.partner_id, "license:" + license.id, std::move(data), now);
    ++counts.warned;
  }
  next_check_note(state, next_check_of(license.compliance, settings));
}

}  // namespace

bool compliance_registered_correctly(const store::read_view& view, const license_record& license, std::int64_t now) {
  return registration_correct(rules_broken_now(view, license, now));
}

std::int64_t compliance_next_run_at(const compliance_sweep_record& state, const compliance_settings& settings) {
  if (state.running || state.requested) return 0;
  const auto last_start = state.started_at != 0 ? state.started_at : state.first_pass_at;
  if (last_start == 0) return 0;  // the first pass only notes when it came
  auto at = last_start + settings.interval_seconds;
  if (state.next_check_at != 0) at = std::min(at, state.next_check_at);
  return at;
}

nlohmann::json compliance_state_view(const compliance_sweep_record& state, const compliance_settings& settings) {
  const auto counts = [](const compliance_counts& c) { return nlohmann::json(c); };
  return {{"running", state.running},
          {"requested", state.requested},
          {"started_at", time_or_null(state.started_at)},
          {"finished_at", time_or_null(state.finished_at)},
          {"next_run_at", time_or_null(compliance_next_run_at(state, settings))},
          {"interval_days", settings.interval_seconds / 86'400},
          {"deadline_days", settings.deadline_seconds / 86'400},
          {"current", state.running ? counts(state.current) : nlohmann::json()},
          {"last", state.finished_at != 0 ? counts(state.last) : nlohmann::json()}};
}

void compliance_sweep_request(store::write_view& write, const caller& who, std::int64_t now) {
  auto state = must(write.compliance_sweep_get());
  state.requested = true;
  must(write.compliance_sweep_put(state));
  audit_append(write, who, "compliance.sweep_request", "compliance", now);
}

compliance_batch_outcome compliance_sweep_batch(store::write_view& write, const compliance_settings& settings,
                                                const license_settings& licenses, const signing& with, std::int64_t now,
                                                std::size_t limit) {
  auto state = must(write.compliance_sweep_get());
  if (!state.running) {
    if (state.first_pass_at == 0) {
      state.first_pass_at = now;
      must(write.compliance_sweep_put(state));
      if (!state.requested) return {};
    }
    const auto due_at = compliance_next_run_at(state, settings);
    if (due_at != 0 && now < due_at) return {};
    state.running = true;
    state.requested = false;
    state.cursor.clear();
    state.started_at = now;
    state.next_check_at = 0;  // found again by this sweep
    state.current = {};
  }
  const auto batch = must(write.licenses_list("", {limit, state.cursor}, store::order::oldest_first));
  const auto before = state.current;
  auto campaigns = campaigns_admitting(write, now);
  for (auto license : batch.items) {
    license_compliance_apply(write, sweep_caller, license, settings, licenses, with, now, state.current, state);
    state.current.admitted += campaigns_admit(write, campaigns, license, with, now);
  }
  const auto changed = (state.current.flagged - before.flagged) + (state.current.warned - before.warned) +
                       (state.current.cleared - before.cleared) + (state.current.expired - before.expired) +
                       (state.current.admitted - before.admitted);
  state.cursor = batch.next;
  if (state.cursor.empty()) {
    state.running = false;
    state.finished_at = now;
    state.last = state.current;
    state.current = {};
  }
  must(write.compliance_sweep_put(state));
  return {state.running, changed};
}

license_record compliance_check_now(store::write_view& write, const caller& who, std::string_view id,
                                    const compliance_settings& settings, const license_settings& licenses,
                                    const signing& with, std::int64_t now) {
  auto license = license_visible(write, who, id);
  auto state = must(write.compliance_sweep_get());
  compliance_counts counts;
  license_compliance_apply(write, who, license, settings, licenses, with, now, counts, state);
  must(write.compliance_sweep_put(state));
  auto campaigns = campaigns_admitting(write, now);
  (void)campaigns_admit(write, campaigns, license, with, now);
  return license;
}

}  // namespace licensor::server
