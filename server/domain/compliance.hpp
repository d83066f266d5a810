// The free-licence programme's registration rules, checked again after issue by the compliance
// sweep (core/compliance.hpp): pure functions of the records it gathers.
//
// A free license is registered correctly when:
// - it is linked to a customer that has a name and an email          (customer_missing, customer_name_missing)
// - its email is its customer's                                      (email_not_customer)
// - its email is not in its partner's domains, as they are now        (email_in_partner_domain)
// - it is its customer's only free license of the product, or the
//   first issued of them                                             (more_than_one_free)
// - once the product's minimum version for free licenses is in force
//   (min_version_from has passed), its app was last seen on that
//   version or later; a license whose app was never seen fails too  (app_version_below_minimum)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/records.hpp"

namespace licensor::server {

/// What the sweep knows of one free license.
struct compliance_facts {
  const license_record& license;
  const customer_record* customer = nullptr;  ///< null when unlinked (or the customer is gone)
  const partner_record& partner;
  const product_record* product = nullptr;    ///< null when the product is gone
  bool earlier_free_of_customer = false;      ///< the customer holds an earlier free license of the product
  std::int64_t now = 0;
};

/// The codes of the rules `facts.license` breaks, sorted; empty when it is registered correctly.
[[nodiscard]] std::vector<std::string> compliance_rules_broken(const compliance_facts& facts);

/// True when `broken` (of compliance_rules_broken) holds no registration rule: it is empty, or
/// only the app version is below the minimum (which is not how the license was registered).
[[nodiscard]] bool registration_correct(const std::vector<std::string>& broken);

/// True when `license` is one the sweep checks: a free license that is active or suspended.
[[nodiscard]] bool compliance_applies(const license_record& license);

}  // namespace licensor::server
