#include "core/organisation_security.hpp"

#include "core/audit.hpp"
#include "core/people.hpp"

namespace licensor::server {
namespace {

// The partner id the store keeps `who`'s organisation's policy under (empty: the operators).
std::string organisation_of(const caller& who) {
  if (who.kind == caller_kind::operator_) return {};
  if (who.kind == caller_kind::partner) return who.partner_id;
  refuse(errc::forbidden, "only operators and partners have an organisation policy");
}

}  // namespace

organisation_security_record organisation_security_of(const store::read_view& view, const caller& who) {
  return must(view.organisation_security_get(organisation_of(who)));
}

organisation_security_record organisation_security_set(store::write_view& write, const caller& who, bool require_totp,
                                                       std::int64_t now) {
  const auto organisation = organisation_of(who);
  people_manager_or_refuse(who, organisation);
  auto security = must(write.organisation_security_get(organisation));
  const bool before = security.require_totp;
  security.require_totp = require_totp;
  security.updated_at = now;
  security.updated_by = who.id;
  must(write.organisation_security_put(organisation, security));
  audit_append(write, who, "organisation.security_update", organisation.empty() ? "operators" : organisation, now,
               {{"before", {{"require_totp", before}}}, {"after", {{"require_totp", require_totp}}}});
  return security;
}

bool totp_enrolment_required(const store::read_view& view, const user_record& user) {
  // A customer's people follow their customer's policy, which nobody sets yet: never required.
  return user.totp_secret.empty() && must(view.organisation_security_get(user_organisation(user))).require_totp;
}

}  // namespace licensor::server
