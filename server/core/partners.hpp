// Partners (operators manage them), and the facts about a partner that many
// operations ask for, read in one place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/caller.hpp"
#include "domain/records.hpp"
#include "domain/rules.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// True when the partner exists and may issue (can_issue); a partner that is gone may not.
[[nodiscard]] bool partner_issuing(const store::read_view& view, const std::string& partner_id);

/// Throws partner_not_enabled unless partner_issuing: every change that creates a license or a
/// token, or widens one (seats, tier, members, conversions), asks.
void partner_issuing_or_refuse(const store::read_view& view, const std::string& partner_id);

/// Fields of a partner to change; those not given stay. Checked for form by the caller.
struct partner_changes {
  std::optional<std::string> name;
  std::optional<std::string> level;
  std::optional<std::vector<std::string>> email_domains;  ///< normalised
  std::optional<bool> can_issue;
  std::optional<int> discount_percent;
  std::optional<std::string> notification_email;  ///< normalised; "" removes it
  std::optional<std::string> language;            ///< en, es, it
  std::optional<bool> deliver_at_issuance;
};

/// Applies `changes` to `partner`.
void partner_changes_apply(partner_record& partner, const partner_changes& changes);

/// Stores a new partner (id and created_at set).
void partner_create(store::write_view& write, const caller& who, const partner_record& partner, std::int64_t now);

/// Changes a partner. A lower level never revokes licenses: the cap only gates new free
/// licenses. Throws partner_not_found.
[[nodiscard]] partner_record partner_update(store::write_view& write, const caller& who, std::string_view id,
                                            const partner_changes& changes, std::int64_t now);

/// A partner that may not issue yet asks the operators to enable it (the operators hear of it by
/// a "partner.enabling_requested" event, and by mail to the mail settings' operator_email). The
/// request waits ("pending") until an operator decides; a refused partner may ask again.
/// Audited. A partner that may issue already asks for nothing: it is returned unchanged. Throws
/// forbidden (not a partner's person or key).
[[nodiscard]] partner_record partner_enabling_request(store::write_view& write, const caller& who, const std::string& message,
                                                      std::int64_t now);

/// An operator answers a pending request: approving enables the partner ("partner.enabled",
/// with the reply), refusing keeps it disabled ("partner.enabling_refused", with the reply,
/// which is then required). Audited. Throws partner_not_found, conflict (no pending request),
/// bad_request (a refusal without a reply).
[[nodiscard]] partner_record partner_enabling_decide(store::write_view& write, const caller& who, std::string_view id,
                                                     bool approve, const std::string& reply, std::int64_t now);

/// A partner's free licenses against its level's cap.
struct partner_usage {
  std::uint32_t free_licenses_used = 0;
  std::uint32_t free_license_cap = 0;
};
[[nodiscard]] partner_usage partner_usage_of(const store::read_view& view, const partner_record& partner,
                                             const level_caps& caps, std::int64_t now);

}  // namespace licensor::server
