#include "domain/compliance.hpp"

#include <algorithm>

#include "domain/product_policy.hpp"
#include "domain/rules.hpp"
#include "licensor/app_version.hpp"

namespace licensor::server {
namespace {

constexpr std::string_view app_version_rule = "app_version_below_minimum";

bool app_version_below(const license_record& license, const product_record& product, std::int64_t now) {
  const auto kind = std::string(license_kind_name(license.kind));
  const auto from = product.min_version_from.find(kind);
  if (from == product.min_version_from.end() || from->second > now) return false;
  const auto minimum = product_min_version(product, license.kind);
  if (minimum.empty()) return false;
  if (license.app_version_seen.empty()) return true;
  const auto compared = app_version_compare(license.app_version_seen, minimum);
  return !compared.ok() || *compared < 0;
}

}  // namespace

bool registration_correct(const std::vector<std::string>& broken) {
  return std::all_of(broken.begin(), broken.end(), [](const std::string& rule) { return rule == app_version_rule; });
}

bool compliance_applies(const license_record& license) {
  return license.kind == license_kind::free &&
         (license.status == license_status::active || license.status == license_status::suspended);
}

std::vector<std::string> compliance_rules_broken(const compliance_facts& facts) {
  const auto& license = facts.license;
  std::vector<std::string> broken;
  if (facts.customer == nullptr) {
    broken.emplace_back("customer_missing");
  } else {
    if (facts.customer->name.find_first_not_of(" \t") == std::string::npos) broken.emplace_back("customer_name_missing");
    if (facts.customer->email != license.email) broken.emplace_back("email_not_customer");
  }
  if (email_in_partner_domains(facts.partner, license.email)) broken.emplace_back("email_in_partner_domain");
  if (facts.earlier_free_of_customer) broken.emplace_back("more_than_one_free");
  if (facts.product != nullptr && app_version_below(license, *facts.product, facts.now))
    broken.emplace_back(app_version_rule);
  std::sort(broken.begin(), broken.end());
  return broken;
}

}  // namespace licensor::server
