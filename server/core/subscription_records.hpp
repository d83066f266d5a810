// The pieces every subscription operation is built from: the terms next to their license, the
// schedule rule, re-signing, the ledger, members, and add-ons following or ending with their
// base. Each runs inside the caller's store job (or on a snapshot) and throws refusal.
// Rules come from subscription/rules.hpp; docs/subscriptions.md has the model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/caller.hpp"
#include "core/license_tokens.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// The subscription of a license, if it has one.
[[nodiscard]] std::optional<subscription::subscription_record> subscription_find(const store::read_view& view,
                                                                                 std::string_view license_id);

/// A license that may be gone (deleted by its partner): records pointing at it must not fail.
[[nodiscard]] std::optional<license_record> license_lookup(const store::read_view& view, std::string_view id);

/// A subscription and its license, visible to `who`. Throws license_not_found, not_a_subscription.
struct subscribed {
  license_record license;
  subscription::subscription_record terms;
};
[[nodiscard]] subscribed subscription_for(const store::read_view& view, const caller& who, const std::string& id);

/// Stores `sub`, queued for its term end while `license` is active or suspended and is not an
/// add-on (add-ons follow their base), otherwise not queued.
void subscription_save(store::write_view& write, subscription::subscription_record& sub, const license_record& license);

/// Re-signs `license` at `now` (updated_at is the token's iat) and stores it.
void license_resign(store::write_view& write, license_record& license, const signing& with, std::int64_t now);

/// Who pays for a change, as the ledger names them: the caller who made it, and the discount
/// their prices carry. A partner's people and keys, operators and the scheduler buy at the
/// partner's discount; a customer's own people (self-service) pay the list price.
struct payer {
  std::string by;  ///< the caller's id ("user:usr_…", "partner:…", "scheduler")
  int discount_percent = 0;
};
/// The payer when `who` changes a license of `partner_id`. Throws partner_not_found.
[[nodiscard]] payer payer_of(const store::read_view& view, const caller& who, const std::string& partner_id);

/// Appends a charge (amount > 0) or refund (amount < 0) to the license's ledger, naming
/// `paying`, and adds it to the term's total. A zero amount is not recorded.
void ledger_append(store::write_view& write, subscription::subscription_record& sub, const license_record& license,
                   std::string_view reason, std::int64_t amount, std::int64_t period_start, std::int64_t period_end,
                   const payer& paying, std::int64_t now);

/// Starts the ledger of a new term [sub.term_start, sub.term_end): one lot of all the license's
/// seats, charged a full term at the tier's price for `who` (payer_of; 0 without a price).
void subscription_term_charge(store::write_view& write, subscription::subscription_record& sub, license_record& license,
                              std::string_view reason, const caller& who, std::int64_t now);

/// The product's price for a tier. Throws price_not_found.
[[nodiscard]] tier_price tier_price_of(const product_record& product, std::string_view tier);

[[nodiscard]] std::uint32_t members_count(const store::read_view& view, std::string_view license_id);
[[nodiscard]] std::vector<subscription::member_record> members_of(const store::read_view& view, const std::string& license_id);
/// A member's seat is freed and its tokens stop answering (validate: not_found).
void member_erase(store::write_view& write, const std::string& license_id, const subscription::member_record& member);

/// Moves an active add-on onto its base's current term (its own scheduled change applied when
/// `changes_allowed`, dropped otherwise) and charges that term under `reason`; with
/// `refund_unused`, the unused days of its previous term are refunded first. A suspended add-on,
/// or one with auto_renew off, expires instead. Does nothing to an add-on that is over or gone.
void addon_follow(store::write_view& write, const std::string& addon_id, const subscription::subscription_record& base,
                  const signing& with, std::int64_t now, std::string_view reason, bool refund_unused,
                  bool changes_allowed);

/// Ends an add-on along with its base: `status` is expired or cancelled (refunded prorated
/// by day, its token re-signed to end where the refund starts). Does nothing to an add-on that is
/// already over or gone.
void addon_end(store::write_view& write, const std::string& addon_id, license_status status, const signing& with,
               std::int64_t now, const caller& who);

/// Who the scheduler's changes are audited as.
inline const caller scheduler_caller = caller_named(caller_kind::operator_, "scheduler");

}  // namespace licensor::server
