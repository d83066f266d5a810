// Subscriptions in the store: reading and writing the terms next to their license, the ledger,
// members, the schedule, and the term-end processing the scheduler runs. Every function here
// runs inside one write transaction (a svc.commit job) or a read snapshot, and throws api_error
// on refusal so the whole change is discarded. Rules come from subscription/rules.hpp.
//
// Thread safety: as the transaction they are given (write functions run on the writer thread).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/service.hpp"
#include "subscription/records.hpp"

namespace licensor::server {

/// The signer and issuer a change signs with: taken on the worker thread, copied into the job.
struct signing_context {
  std::shared_ptr<const keys::signer_state> signer;
  std::string issuer;
};
[[nodiscard]] signing_context signing_of(service& svc);

/// The members database key of a license's member.
[[nodiscard]] std::string member_key(std::string_view license_id, std::string_view email);
/// True when `email` holds a seat of the license.
[[nodiscard]] bool member_exists(const store::txn& t, std::string_view license_id, std::string_view email);

/// The subscription of a license, if it has one.
[[nodiscard]] std::optional<subscription::subscription_record> subscription_find(const store::txn& t,
                                                                                 std::string_view license_id);
/// Stores `sub` and moves its schedule entry to match `license` (queued at term_end while the
/// license is active or suspended and is not an add-on; otherwise not queued).
void subscription_save(store::txn& write, subscription::subscription_record& sub, const license_record& license);

/// Re-signs `license` at `now` (updated_at is the token's iat) and stores it with its token index.
void license_resign(store::txn& write, license_record& license, const signing_context& signing, std::int64_t now);

/// Appends a charge (amount > 0) or refund (amount < 0) to the license's ledger and the
/// partner's index, and adds it to the term's total. A zero amount is not recorded.
void ledger_append(store::txn& write, subscription::subscription_record& sub, const license_record& license,
                   std::string_view reason, std::int64_t amount, std::int64_t period_start, std::int64_t period_end,
                   int discount_percent, std::int64_t now);

/// Starts the ledger of a new term [sub.term_start, sub.term_end): one lot of all the license's
/// seats, charged a full term at the tier's price less the partner's discount (0 without a price).
void subscription_term_charge(store::txn& write, subscription::subscription_record& sub, license_record& license,
                              std::string_view reason, std::int64_t now);

/// Moves an active add-on onto its base's current term (tier and seats of its own scheduled
/// change applied when `changes_allowed`, dropped otherwise) and charges that term under
/// `reason`; with `refund_unused`, the unused days of the add-on's previous term are refunded
/// first. A suspended add-on, or one with auto_renew off, expires instead. Does nothing to an
/// add-on that is over or gone (deleted).
void addon_follow(service& svc, store::txn& write, const std::string& addon_id,
                  const subscription::subscription_record& base, const signing_context& signing, std::int64_t now,
                  std::string_view reason, bool refund_unused, bool changes_allowed);

/// Ends an add-on along with its base: `status` is "expired" or "cancelled" (refunded prorated by
/// day, its token re-signed to end where the refund starts: subscription::cancel_end). Does
/// nothing to an add-on that is already over or gone (deleted).
void addon_end(service& svc, store::txn& write, const std::string& addon_id, const std::string& status,
               const signing_context& signing, std::int64_t now, const caller& who);

/// The product's price for a tier. Throws price_not_found.
[[nodiscard]] tier_price tier_price_of(const product_record& product, std::string_view tier);

/// The number of members of a license.
[[nodiscard]] std::uint32_t members_count(const store::txn& t, std::string_view license_id);

/// The license view with its subscription (terms, seat-decrease windows, cancel window,
/// scheduled change, members count) when it has one.
[[nodiscard]] nlohmann::json subscription_license_view(const store::txn& t, const license_record& license,
                                                       std::int64_t now);
/// Adds "subscription" to a license view made elsewhere (GET /v1/licenses/{id}).
void subscription_view_attach(const store::txn& t, nlohmann::json& license_view, std::int64_t now);

/// The schedule keys due at `now`, earliest first (a read; the scheduler applies each in its own
/// write so that one license that fails cannot hold back the others).
[[nodiscard]] std::vector<std::string> subscription_due_list(const store::txn& t, std::int64_t now);

/// Applies every term end due at `now` of the license queued under schedule key `key`
/// (renewals, expiries, trial conversions, scheduled changes, add-ons following it), catching
/// up every missed period; a license, terms or add-on that is gone is dropped, never an error.
/// Idempotent: applying twice changes nothing the second time. Returns true when it changed.
bool subscription_due_apply(service& svc, store::txn& write, const std::string& key, const signing_context& signing,
                            std::int64_t now);

/// Throws partner_not_enabled unless the partner exists and may issue (can_issue): every change
/// that creates a license or a token, or widens one (seats, tier, members, conversions), asks.
void partner_issuing_or_fail(const store::txn& t, const std::string& partner_id);

/// A member's seat is freed and its tokens stop answering (validate: not_found).
void member_erase(store::txn& write, const std::string& license_id, const subscription::member_record& member);
/// Every member of a license.
[[nodiscard]] std::vector<subscription::member_record> members_of(const store::txn& t, const std::string& license_id);

/// The subscription side of deleting `license` (DELETE /v1/licenses/{id}), in the same write: an
/// add-on leaves its base's list; a base's add-ons end with it (expired, as on revocation); its
/// members, terms and schedule entry go. The ledger stays (it is the money's history). Does
/// nothing for a plain license.
void subscription_unwind(service& svc, store::txn& write, const license_record& license, const signing_context& signing,
                         const caller& who);

/// The subscription side of suspend, reinstate and revoke for POST /v1/licenses/{id}/{action}:
/// returns the answer when the license is a subscription, nullopt to let the plain rules run.
[[nodiscard]] std::optional<api_response> subscription_status_change(service& svc, store::txn& write,
                                                                     const caller& who, const std::string& id,
                                                                     const std::string& action,
                                                                     const signing_context& signing);

/// Activation by a member of a subscription: a token bound to the member's email.
/// Throws activation_failed when `email` is not a member, the errors of
/// license_token_handout_allowed, and partner_not_enabled for a member's first token.
[[nodiscard]] api_response member_activate(service& svc, store::txn& write, license_record& license,
                                           const std::string& email, const signing_context& signing,
                                           std::int64_t now);

}  // namespace licensor::server
