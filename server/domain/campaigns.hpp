// The rules of a campaign (core/campaigns.hpp): which free licenses it admits, and the app
// versions a license keeps so that "seen on version V or later by date D" can be answered.
// Pure functions of records and `now`.
#pragma once

#include <cstdint>
#include <string_view>

#include "domain/records.hpp"

namespace licensor::server {

/// How many app_version_highs a license keeps; past it the oldest (lowest) goes, which can only
/// make "seen on V or later by D" answer later, never earlier, than it happened.
inline constexpr std::size_t app_version_highs_kept = 16;

/// Notes that `license`'s app was seen on `version` at `now`: a version above every one kept
/// (compared by app_version_compare) is appended. Returns true when it was. A malformed
/// version is ignored (the API refuses it before).
bool app_version_high_note(license_record& license, std::string_view version, std::int64_t now);

/// True when `license`'s app was seen on `minimum` or a later version at or before `by`.
/// Licenses whose versions were noted before the highs were kept answer from their last
/// version seen and when (which can only be later than the first time).
[[nodiscard]] bool app_version_seen_by(const license_record& license, std::string_view minimum, std::int64_t by);

/// True when `license` is one `campaign` looks at: a free license of its product that is
/// active or suspended.
[[nodiscard]] bool campaign_candidate(const campaign_record& campaign, const license_record& license);

/// Each condition of a campaign, judged on one candidate.
struct campaign_verdict {
  bool registered = true;  ///< registered correctly, or the campaign does not ask
  bool issued = true;      ///< issued before the date, or no date
  bool version = true;     ///< seen on the version by the date, or no version
  [[nodiscard]] bool admitted() const { return registered && issued && version; }
};

/// Judges `license` at `now`; `registered_correctly` is whether it breaks no registration rule
/// (core/compliance.hpp: compliance_registration_broken).
[[nodiscard]] campaign_verdict campaign_judge(const campaign_record& campaign, const license_record& license,
                                              bool registered_correctly, std::int64_t now);

/// True when `campaign` admits licenses at `now`: it ran (or runs) and has not closed.
[[nodiscard]] bool campaign_admitting(const campaign_record& campaign, std::int64_t now);

/// True when `license` was admitted by the campaign `id`.
[[nodiscard]] bool campaign_applied(const license_record& license, std::string_view id);

}  // namespace licensor::server
