// The partner programme's rules (DESIGN.md section 4) as pure functions: no store, no clock,
// no I/O. The API layer gathers the facts inside one write transaction and asks these.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "domain/records.hpp"
#include "licensor/result.hpp"

namespace licensor::server {

/// Free-license caps by partner level. Configuration; these are the programme's defaults.
struct level_caps {
  std::map<std::string, std::uint32_t, std::less<>> caps{
      {"bronze", 5}, {"silver", 25}, {"gold", 50}, {"platinum", 100}, {"titanium", 150}};

  [[nodiscard]] std::optional<std::uint32_t> cap_for(std::string_view level) const;
};

/// Facts about one free-license request, gathered in the write transaction.
struct free_license_facts {
  const partner_record& partner;
  std::string_view customer_email;
  bool customer_has_free_license = false;  ///< for this product
  std::uint32_t partner_free_used = 0;
};

/// True when `email` is in one of the partner's own domains or their subdomains.
[[nodiscard]] bool email_in_partner_domains(const partner_record& partner, std::string_view email);

/// Any license: the partner must be enabled. Errors: partner_not_enabled.
[[nodiscard]] result<void> license_issue_allowed(const partner_record& partner);

/// A free license: not to the partner's own domains, one per customer and product, within the
/// level's cap. Errors: partner_domain_email, free_license_exists, partner_cap_reached.
[[nodiscard]] result<void> free_license_allowed(const free_license_facts& facts, const level_caps& caps);

/// License status changes. `action` is suspend, reinstate or revoke.
/// Errors: license_revoked (revoked is final), conflict (e.g. reinstate an active license).
[[nodiscard]] result<license_status> license_status_change(license_status status, std::string_view action);

/// Handing out a license's token (activation by the owner or a member, the delivery text): only
/// while the license is in force. A cancelled or expired subscription hands out nothing, or its
/// tokens would outlive the refund. Errors: license_revoked, license_suspended,
/// subscription_not_active (cancelled or expired), license_unlinked.
[[nodiscard]] result<void> license_token_handout_allowed(const license_record& license);

/// The validate answer for a license whose token verified: valid, suspended, revoked, cancelled,
/// unlinked, expired (also past a compliance deadline) or not_yet_valid.
[[nodiscard]] std::string_view license_state_code(const license_record& license, std::int64_t now,
                                                  std::int64_t leeway_seconds);

}  // namespace licensor::server
