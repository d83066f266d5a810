#include "core/license_reach.hpp"

#include <algorithm>

namespace licensor::server {
namespace {

// A customer member's seat: the license's own email, or one of its members'.
bool holds_seat(const store::read_view& view, const caller& who, const license_record& license) {
  return !who.email.empty() && (license.email == who.email || must(view.member_get(license.id, who.email)).has_value());
}

bool customer_admin(const caller& who) { return who.role == "customer_admin"; }

}  // namespace

bool license_reached(const store::read_view& view, const caller& who, const license_record& license) {
  switch (who.kind) {
    case caller_kind::operator_: return true;
    case caller_kind::partner: return license.partner_id == who.partner_id;
    case caller_kind::customer:
      if (license.partner_id != who.partner_id || license.customer_id != who.customer_id) return false;
      return customer_admin(who) || holds_seat(view, who, license);
    case caller_kind::anonymous: return false;
  }
  return false;
}

void license_reach_or_refuse(const store::read_view& view, const caller& who, const license_record& license) {
  if (!license_reached(view, who, license)) refuse(errc::license_not_found);
}

std::vector<license_record> licenses_of_customer_person(const store::read_view& view, const caller& who) {
  if (who.kind != caller_kind::customer) refuse(errc::forbidden);
  auto licenses = must(view.licenses_of_customer(who.customer_id));
  std::erase_if(licenses, [&](const license_record& license) { return !license_reached(view, who, license); });
  return licenses;
}

}  // namespace licensor::server
