#include "domain/campaigns.hpp"

#include <algorithm>

#include "domain/compliance.hpp"
#include "licensor/app_version.hpp"

namespace licensor::server {
namespace {

bool at_least(std::string_view version, std::string_view minimum) {
  const auto compared = app_version_compare(version, minimum);
  return compared.ok() && *compared >= 0;
}

}  // namespace

bool app_version_high_note(license_record& license, std::string_view version, std::int64_t now) {
  if (!app_version_compare(version, version).ok()) return false;
  if (!license.app_version_highs.empty()) {
    const auto compared = app_version_compare(version, license.app_version_highs.back().version);
    if (!compared.ok() || *compared <= 0) return false;
  }
  license.app_version_highs.push_back({std::string(version), now});
  if (license.app_version_highs.size() > app_version_highs_kept) license.app_version_highs.erase(license.app_version_highs.begin());
  return true;
}

bool app_version_seen_by(const license_record& license, std::string_view minimum, std::int64_t by) {
  if (license.app_version_highs.empty())
    return !license.app_version_seen.empty() && license.app_version_seen_at <= by && at_least(license.app_version_seen, minimum);
  // The highs ascend in version and time: the first at or above the minimum is the earliest.
  const auto first = std::find_if(license.app_version_highs.begin(), license.app_version_highs.end(),
                                  [&](const app_version_high& high) { return at_least(high.version, minimum); });
  return first != license.app_version_highs.end() && first->at <= by;
}

bool campaign_candidate(const campaign_record& campaign, const license_record& license) {
  return license.product == campaign.product && compliance_applies(license);
}

campaign_verdict campaign_judge(const campaign_record& campaign, const license_record& license,
                                bool registered_correctly, std::int64_t now) {
  const auto& asked = campaign.conditions;
  campaign_verdict verdict;
  verdict.registered = !asked.registered_correctly || registered_correctly;
  verdict.issued = asked.issued_before == 0 || license.issued_at < asked.issued_before;
  verdict.version = asked.min_version_seen.empty() ||
                    app_version_seen_by(license, asked.min_version_seen, asked.seen_by != 0 ? asked.seen_by : now);
  return verdict;
}

bool campaign_admitting(const campaign_record& campaign, std::int64_t now) {
  return campaign.status != campaign_status::draft && now < campaign.closes_at;
}

bool campaign_applied(const license_record& license, std::string_view id) {
  return std::find(license.campaigns.begin(), license.campaigns.end(), id) != license.campaigns.end();
}

}  // namespace licensor::server
