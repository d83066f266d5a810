#include "domain/rules.hpp"

#include "licensor/email.hpp"

namespace licensor::server {

std::optional<std::uint32_t> level_caps::cap_for(std::string_view level) const {
  const auto it = caps.find(level);
  if (it == caps.end()) return std::nullopt;
  return it->second;
}

bool email_in_partner_domains(const partner_record& partner, std::string_view email) {
  const auto domain = email_domain(email);
  for (const auto& own : partner.email_domains)
    if (domain_within(domain, own)) return true;
  return false;
}

result<void> license_issue_allowed(const partner_record& partner) {
  if (!partner.can_issue) return errc::partner_not_enabled;
  return {};
}

result<void> free_license_allowed(const free_license_facts& facts, const level_caps& caps) {
  if (email_in_partner_domains(facts.partner, facts.customer_email)) return errc::partner_domain_email;
  if (facts.customer_has_free_license) return errc::free_license_exists;
  // An unknown level has no free licenses at all rather than an unlimited number.
  const auto cap = caps.cap_for(facts.partner.level).value_or(0);
  if (facts.partner_free_used >= cap) return errc::partner_cap_reached;
  return {};
}

result<license_status> license_status_change(license_status status, std::string_view action) {
  if (status == license_status::revoked) return errc::license_revoked;
  if (action == "revoke") return license_status::revoked;
  if (action == "suspend") {
    if (status != license_status::active) return errc::conflict;
    return license_status::suspended;
  }
  if (action == "reinstate") {
    if (status != license_status::suspended) return errc::conflict;
    return license_status::active;
  }
  return errc::bad_request;
}

result<void> license_token_handout_allowed(const license_record& license) {
  if (license.status == license_status::revoked) return errc::license_revoked;
  if (license.status == license_status::suspended) return errc::license_suspended;
  if (license.status == license_status::cancelled || license.status == license_status::expired) return errc::subscription_not_active;
  if (license.customer_id.empty()) return errc::license_unlinked;
  return {};
}

std::string_view license_state_code(const license_record& license, std::int64_t now,
                                    std::int64_t leeway_seconds) {
  if (license.status != license_status::active) return license_status_name(license.status);
  if (license.customer_id.empty()) return "unlinked";
  if (license.issued_at > now + leeway_seconds) return "not_yet_valid";
  if (license.expires_at != 0 && now > license.expires_at + leeway_seconds) return "expired";
  // A registration still wrong at its deadline: the sweep will expire it; until then, say so.
  if (license.compliance.flagged() && now > license.compliance.deadline + leeway_seconds) return "expired";
  return "valid";
}

}  // namespace licensor::server
