// What the rest of the core and the jobs ask of subscriptions. The operations themselves (create,
// seats, members, upgrades, scheduled changes, cancellation, trials, the ledger) live in
// core/subscription_*.hpp, split by role.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/activation.hpp"
#include "core/caller.hpp"
#include "core/license_tokens.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// The subscription side of suspend, reinstate and revoke: applies `action` to a subscription
/// (add-ons follow, auto_renew off...) and returns the changed license; nullopt when `id` is
/// not a subscription, so the plain rules apply. Throws the subscription rules' errors.
[[nodiscard]] std::optional<license_record> subscription_status_change(store::write_view& write, const caller& who,
                                                                       const std::string& id, const std::string& action,
                                                                       const signing& with, std::int64_t now);

/// The subscription side of deleting `license`, in the same job: an add-on leaves its base's
/// list; a base's add-ons end with it; its members, terms and schedule entry go. The ledger
/// stays. Does nothing for a plain license.
void subscription_unwind(store::write_view& write, const license_record& license, const signing& with,
                         const caller& who, std::int64_t now);

/// Activation by a member of a subscription: a token bound to the member's email.
/// Throws activation_failed when `email` is not a member, the errors of
/// license_token_handout_allowed, and partner_not_enabled for a member's first token.
[[nodiscard]] activation member_activate(store::write_view& write, const caller& who, license_record& license,
                                         const std::string& email, const signing& with, std::int64_t now);

/// True when `email` holds a seat of the license.
[[nodiscard]] bool member_exists(const store::read_view& view, std::string_view license_id, std::string_view email);

/// The term ends due at `now`, earliest first (a read; each is applied in its own job, so one
/// license that fails cannot hold back the others).
[[nodiscard]] std::vector<store::schedule_entry> subscription_due_list(const store::read_view& view, std::int64_t now);

/// Applies every term end due at `now` of the license queued as `entry` (renewals, expiries,
/// trial conversions, scheduled changes, add-ons following it), catching up every missed period;
/// a license, terms or add-on that is gone is dropped, never an error. Idempotent. Returns true
/// when it changed something.
[[nodiscard]] bool subscription_due_apply(store::write_view& write, const store::schedule_entry& entry,
                                          const signing& with, std::int64_t now);

}  // namespace licensor::server
