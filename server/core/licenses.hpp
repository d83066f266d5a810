// Licenses: issuing, reading, status changes, unlinking, transfers, deletion and tokens. Each
// write operation runs inside one store job (api/service.hpp commit, or a job's) and re-checks
// its rules there, so the check and the write are one atomic step whatever the concurrency.
// Operations throw refusal; write operations sign through core/license_tokens.hpp (run them with
// core/signed_commit.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/caller.hpp"
#include "core/license_tokens.hpp"
#include "domain/rules.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// What the operations need from configuration.
struct license_settings {
  level_caps caps;
  std::int64_t leeway_seconds = 60;
};

/// The license `id` if `who` may see it. Throws license_not_found (also for another partner's).
[[nodiscard]] license_record license_visible(const store::read_view& view, const caller& who, std::string_view id);

/// A license to issue, as the request asked for it (already checked for form).
struct license_order {
  std::string partner_id;
  std::string customer_id;
  std::string product;
  std::optional<std::string> tier;  ///< the product's lowest when not given
  license_kind kind = license_kind::paid;
  std::uint32_t seats = 1;
  std::vector<std::string> features;
  std::int64_t expires_at = 0;      ///< 0: perpetual (or the trial's 30 days)
};

/// Phase one of issuing, outside the store's writer: reads `order`'s customer and product from
/// a snapshot, fills the license (id, tier, email, activation key, expiry) and signs its token
/// into with.presigned. Throws customer_not_found, product_not_found, tier_not_found, bad_request.
[[nodiscard]] license_record license_prepare(const store::read_view& view, const license_order& order,
                                             const signing& with, std::int64_t now);

/// What issuing stored, beside the license itself.
struct license_issued {
  partner_record partner;  ///< the issuing partner as it was checked, for what else the job decides by it
  std::string view;        ///< the license as the API shows it, JSON text (its "license.issued" event's data)
};

/// Phase two, in a write job: re-checks every rule (partner enabled, product policy, the
/// customer and its email unchanged, the free-license rules and cap) and stores the license.
/// Throws the rules' errors.
license_issued license_issue(store::write_view& write, const caller& who, license_record& license, const signing& with,
                             const license_settings& settings, std::int64_t now);

/// Asks for the license's delivery letter to be mailed (core/mail_compose.hpp) with a
/// "license.delivery_requested" event. Audited. Throws license_not_found, and the errors of
/// license_token_handout_allowed (a license no longer in force has no letter).
void license_delivery_request(store::write_view& write, const caller& who, std::string_view id, std::int64_t now);

/// At issuance: asks for the delivery letter when the issuer said so (`asked`), or, when it said
/// nothing, when the partner chose deliver_at_issuance.
void license_delivery_on_issue(store::write_view& write, const license_record& license, std::optional<bool> asked,
                               std::int64_t now);

/// The license's token as it may be handed out now: re-signed when it was signed by a key that is
/// no longer active (or revoked), or is a free token running out. Throws license_revoked.
[[nodiscard]] license_record license_token_fresh(store::write_view& write, const caller& who, std::string_view id,
                                                 const signing& with, std::int64_t now);

/// suspend, reinstate or revoke (`action`); a subscription's own rules apply to one. A revoked
/// free license gives its slots back (core/free_slots.hpp: free_license_leave).
[[nodiscard]] license_record license_status_set(store::write_view& write, const caller& who, std::string_view id,
                                                const std::string& action, const signing& with,
                                                const license_settings& settings, std::int64_t now);

/// An operator's correction of a plain license (not a subscription: its term is its own).
struct license_correction {
  std::optional<std::int64_t> expires_at;  ///< 0: perpetual
  std::optional<std::vector<std::string>> features;
};

/// Corrects the license's expiry and features and re-signs its token, which carries both.
/// Audited ("license.correct") with the fields before and after; event "license.corrected".
/// Throws license_not_found, license_revoked, conflict (a subscription).
[[nodiscard]] license_record license_correct(store::write_view& write, const caller& who, std::string_view id,
                                             const license_correction& correction, const signing& with, std::int64_t now);

/// Detaches the license from its customer. Throws license_unlinked when it is already.
[[nodiscard]] license_record license_unlink(store::write_view& write, const caller& who, std::string_view id,
                                            const license_settings& settings, std::int64_t now);

/// Moves the license to another customer of its partner, re-signed for the new email.
[[nodiscard]] license_record license_transfer(store::write_view& write, const caller& who, std::string_view id,
                                              const std::string& customer_id, const signing& with,
                                              const license_settings& settings, std::int64_t now);

/// Deletes the license (a subscription's terms, members and add-on links with it).
void license_delete(store::write_view& write, const caller& who, std::string_view id, const signing& with,
                    const license_settings& settings, std::int64_t now);

}  // namespace licensor::server
