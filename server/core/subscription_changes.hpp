// What partners (and operators) do to subscriptions: create one (or an add-on, or a trial),
// change seats, add and remove members, upgrade (whole or some seats into a new license),
// schedule a change for the renewal, turn auto-renew on or off, cancel, convert a trial. Each
// re-checks its rules inside its store job, re-signs the token when a token-visible field
// changes, and appends to the audit log. Throws refusal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/caller.hpp"
#include "core/license_tokens.hpp"
#include "store/store.hpp"
#include "subscription/terms.hpp"

namespace licensor::server {

/// A subscription to create, as the request asked for it (checked for form).
struct subscription_order {
  license_record license;               ///< id, partner, customer, product, kind, seats, features, activation key
  std::optional<std::string> tier;      ///< the product's lowest when not given
  subscription::term_kind term = subscription::term_kind::monthly;
  bool trial = false;
  std::optional<std::int64_t> trial_days;
  std::string base_license_id;          ///< set for an add-on
  bool auto_renew = true;
  bool converting = false;              ///< `license` is a stored free license becoming this subscription
};
[[nodiscard]] license_record subscription_create(store::write_view& write, const caller& who, subscription_order order,
                                                 const signing& with, std::int64_t now);

[[nodiscard]] license_record subscription_seats_set(store::write_view& write, const caller& who, const std::string& id,
                                                    std::uint32_t seats, const signing& with, std::int64_t now);

/// What a member change answers with.
struct member_change {
  license_record license;
  std::uint32_t members = 0;
};
[[nodiscard]] member_change member_add(store::write_view& write, const caller& who, const std::string& id,
                                       const std::string& email, std::int64_t now);
[[nodiscard]] member_change member_remove(store::write_view& write, const caller& who, const std::string& id,
                                          const std::string& email, std::int64_t now);

/// The license, and a new license when only some seats moved to the higher tier.
struct upgrade_result {
  license_record license;
  std::optional<license_record> new_license;
};
/// `new_id` and `new_key` name the new license of a partial upgrade (made by the caller, so a
/// re-run of the job makes the same one).
[[nodiscard]] upgrade_result subscription_upgrade(store::write_view& write, const caller& who, const std::string& id,
                                                  const std::string& tier, std::optional<std::uint32_t> seats,
                                                  const std::string& new_id, const std::string& new_key,
                                                  const signing& with, std::int64_t now);

[[nodiscard]] license_record scheduled_change_set(store::write_view& write, const caller& who, const std::string& id,
                                                  subscription::scheduled_change change, std::int64_t now);
[[nodiscard]] license_record scheduled_change_drop(store::write_view& write, const caller& who, const std::string& id,
                                                   std::int64_t now);
[[nodiscard]] license_record auto_renew_set(store::write_view& write, const caller& who, const std::string& id, bool on,
                                            std::int64_t now);
/// Reinstates a suspended subscription (as POST /v1/licenses/{id}/reinstate, for subscriptions
/// only). Throws not_a_subscription, forbidden (a customer's people: a suspension is the
/// partner's to lift) and the reinstate rules' errors.
[[nodiscard]] license_record subscription_reactivate(store::write_view& write, const caller& who, const std::string& id,
                                                     const signing& with, std::int64_t now);
[[nodiscard]] license_record subscription_cancel(store::write_view& write, const caller& who, const std::string& id,
                                                 const signing& with, std::int64_t now);

/// How a trial converts: into an existing subscription, or in place (term, seats, tier).
struct conversion_order {
  std::optional<std::string> into_license_id;
  std::optional<subscription::term_kind> term;
  std::optional<std::uint32_t> seats;
  std::optional<std::string> tier;
};
/// The trial, and the subscription it converted into (when it did).
struct conversion_result {
  license_record license;
  std::optional<license_record> into;
};
[[nodiscard]] conversion_result trial_convert(store::write_view& write, const caller& who, const std::string& id,
                                              const conversion_order& order, const signing& with, std::int64_t now);

/// How a free license converts to paid: in place, as a plain paid license (`tier`, `seats`,
/// `expires_at`, 0 for perpetual), or as a subscription (`term`, `tier`, `seats`), where the
/// product has prices.
struct free_conversion {
  bool subscription = false;
  std::optional<std::string> tier;
  std::optional<std::uint32_t> seats;
  std::optional<subscription::term_kind> term;
  std::int64_t expires_at = 0;
};
/// Converts the free license `id` to paid, keeping its id, customer and activation key, and
/// re-signs it. Its customer's free slot and its place under the partner's cap are given back
/// at once: the license is paid for now (core/free_slots.hpp: free_license_converted). A
/// subscription is charged as a new one. Audited ("license.convert"); events
/// "license.converted" (and "subscription.created"). Throws license_not_found,
/// conversion_not_allowed (not a free license in force), license_unlinked, partner_not_enabled,
/// tier_not_found, and subscription_create's errors.
[[nodiscard]] license_record free_license_convert(store::write_view& write, const caller& who, const std::string& id,
                                                  const free_conversion& order, const signing& with, std::int64_t now);

/// A subscription's terms with its members count, for views; nullopt for a plain license.
struct subscription_summary {
  subscription::subscription_record terms;
  std::uint32_t members = 0;
};
[[nodiscard]] std::optional<subscription_summary> subscription_summary_of(const store::read_view& view,
                                                                          const std::string& license_id);

/// A subscription visible to `who` and its members.
struct membership {
  license_record license;
  std::vector<subscription::member_record> members;
};
[[nodiscard]] membership members_list(const store::read_view& view, const caller& who, const std::string& id);

}  // namespace licensor::server
