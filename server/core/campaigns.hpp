// Campaigns: an operator extends the free licenses of a product that meet its conditions, as the
// free-licence programme extended correctly registered licenses issued before a date and
// upgraded to a version by another date (domain/campaigns.hpp holds the conditions).
//
// - Defined as a draft; a dry run counts, over the licenses as they are, how many each condition
//   admits and refuses, in total and by partner, and changes nothing.
// - Run: a job goes through every license, batch by batch (one store job each, so issuance goes
//   on between them); each admitted license gets an expiry no earlier than extend_to, a
//   re-signed token and the campaign's id in its record ("license.campaign_extended", audited).
//   The batch's licenses and the campaign's position are written together, and a license that
//   names the campaign is never admitted again, so a run stopped anywhere (SIGKILL included)
//   resumes where it stood and extends each license once.
// - Once run, the campaign stays open until closes_at: a license that qualifies later (its
//   registration fixed, its app upgraded in time) is admitted by the next compliance sweep, or at
//   once by a compliance check (core/compliance.hpp).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/caller.hpp"
#include "core/license_tokens.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// What an operator gives to define a campaign.
struct campaign_definition {
  std::string name;
  std::string product;
  std::int64_t extend_to = 0;
  std::int64_t closes_at = 0;
  campaign_conditions conditions;
};

/// Defines a draft campaign. Refuses product_not_found, and bad_request when extend_to or
/// closes_at is not after `now` or seen_by is given without a version. Audited.
[[nodiscard]] campaign_record campaign_create(store::write_view& write, const caller& who, campaign_definition definition,
                                              std::int64_t now);

/// The campaign `id`; refuses not_found.
[[nodiscard]] campaign_record campaign_find(const store::read_view& view, std::string_view id);

/// How many candidates one condition lets through, and how many it stops.
struct condition_count {
  std::uint64_t admits = 0;
  std::uint64_t refuses = 0;
};

/// A dry run's counts over a set of candidates (free licenses of the product, active or
/// suspended). Each condition is counted on its own; `admitted` meet them all, and `already` of
/// those were admitted before (by the run, or by a sweep).
struct campaign_tally {
  std::uint64_t candidates = 0;
  std::uint64_t admitted = 0;
  std::uint64_t already = 0;
  condition_count registered;
  condition_count issued;
  condition_count version;
};

struct campaign_report {
  campaign_tally total;
  std::map<std::string, campaign_tally> by_partner;  ///< partners with at least one candidate
};

/// Counts what running `id` at `now` would admit. Reads only.
[[nodiscard]] campaign_report campaign_dry_run(const store::read_view& view, std::string_view id, std::int64_t now);

/// Starts the run of the draft `id`. Refuses conflict when it is not a draft or has closed. Audited.
[[nodiscard]] campaign_record campaign_start(store::write_view& write, const caller& who, std::string_view id,
                                             std::int64_t now);

/// One batch of the oldest running campaign: up to `limit` licenses looked at, the admitted ones
/// extended; the campaign opens after its last license. Returns false when no campaign runs.
/// Signs through `with` (core/signed_commit.hpp).
[[nodiscard]] bool campaign_run_batch(store::write_view& write, const signing& with, std::int64_t now, std::size_t limit);

/// The campaigns that admit licenses at `now` (for campaigns_admit).
[[nodiscard]] std::vector<campaign_record> campaigns_admitting(const store::read_view& view, std::int64_t now);

/// Admits `license` (as it is now stored) to each of `campaigns` it qualifies for and was not
/// admitted to; stores the license and the campaigns' counts. Returns how many admitted it.
std::size_t campaigns_admit(store::write_view& write, std::vector<campaign_record>& campaigns, license_record& license,
                            const signing& with, std::int64_t now);

/// A campaign as the API shows it: its definition, its status ("closed" once closes_at passed)
/// and its progress.
[[nodiscard]] nlohmann::json campaign_view(const campaign_record& campaign, std::int64_t now);
[[nodiscard]] nlohmann::json campaign_report_view(const campaign_record& campaign, const campaign_report& report,
                                                  std::int64_t now);

}  // namespace licensor::server
