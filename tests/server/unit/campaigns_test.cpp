// A campaign's conditions and the app versions a license keeps (server/domain/campaigns.hpp):
// each condition alone and at its boundary, and "seen on V or later by D" from the highs.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "domain/campaigns.hpp"

using namespace licensor;
using namespace licensor::server;

namespace {

constexpr std::int64_t t0 = 1'800'000'000;
constexpr std::int64_t day = 86'400;

license_record free_license() {
  license_record license;
  license.id = "lic_1";
  license.product = "editor";
  license.kind = license_kind::free;
  license.issued_at = t0 - 100 * day;
  return license;
}

campaign_record campaign_of(campaign_conditions conditions) {
  campaign_record campaign;
  campaign.id = "cmp_1";
  campaign.product = "editor";
  campaign.closes_at = t0 + 30 * day;
  campaign.conditions = std::move(conditions);
  return campaign;
}

}  // namespace

TEST_CASE("a license keeps each version above all before it, with when it was first seen") {
  auto license = free_license();
  CHECK(app_version_high_note(license, "19.4", t0));
  CHECK_FALSE(app_version_high_note(license, "19.4", t0 + 1));   // the same again
  CHECK_FALSE(app_version_high_note(license, "18", t0 + 2));     // a downgrade
  CHECK_FALSE(app_version_high_note(license, "19.4.0", t0 + 3)); // equal once padded
  CHECK_FALSE(app_version_high_note(license, "v20", t0 + 4));    // malformed
  CHECK(app_version_high_note(license, "20", t0 + day));
  CHECK(app_version_high_note(license, "21.0.1", t0 + 2 * day));
  CHECK(license.app_version_highs ==
        std::vector<app_version_high>{{"19.4", t0}, {"20", t0 + day}, {"21.0.1", t0 + 2 * day}});

  CHECK(app_version_seen_by(license, "20", t0 + day));       // the day it was first seen
  CHECK_FALSE(app_version_seen_by(license, "20", t0 + day - 1));
  CHECK(app_version_seen_by(license, "19", t0));             // 19.4 counts as 19 or later
  CHECK(app_version_seen_by(license, "20.5", t0 + 2 * day)); // 21.0.1 is the first at or above 20.5
  CHECK_FALSE(app_version_seen_by(license, "20.5", t0 + 2 * day - 1));
  CHECK_FALSE(app_version_seen_by(license, "22", t0 + 100 * day));

  for (int version = 22; license.app_version_highs.size() < app_version_highs_kept; ++version)
    CHECK(app_version_high_note(license, std::to_string(version), t0 + version * day));
  CHECK(app_version_high_note(license, "99", t0 + 99 * day));
  CHECK(license.app_version_highs.size() == app_version_highs_kept);
  CHECK(license.app_version_highs.front().version == "20");  // the oldest went
  // Lost history can only answer later than it happened: 19.4 is gone, 20 is the first kept.
  CHECK_FALSE(app_version_seen_by(license, "19", t0));
  CHECK(app_version_seen_by(license, "19", t0 + day));
}

TEST_CASE("a license noted before the highs were kept answers from its last version and when") {
  auto license = free_license();
  license.app_version_seen = "20.1";
  license.app_version_seen_at = t0;
  CHECK(app_version_seen_by(license, "20", t0));
  CHECK_FALSE(app_version_seen_by(license, "20", t0 - 1));
  CHECK_FALSE(app_version_seen_by(license, "21", t0));
  CHECK_FALSE(app_version_seen_by(free_license(), "1", t0));  // never seen
}

TEST_CASE("each condition of a campaign, alone and at its boundary") {
  auto license = free_license();
  (void)app_version_high_note(license, "20", t0 - 10 * day);

  const auto nothing_asked = campaign_of({false, 0, "", 0});
  CHECK(campaign_judge(nothing_asked, license, false, t0).admitted());

  const auto registered = campaign_of({true, 0, "", 0});
  CHECK(campaign_judge(registered, license, true, t0).admitted());
  const auto wrong = campaign_judge(registered, license, false, t0);
  CHECK_FALSE(wrong.registered);
  CHECK_FALSE(wrong.admitted());

  CHECK(campaign_judge(campaign_of({false, t0 - 100 * day + 1, "", 0}), license, true, t0).issued);
  CHECK_FALSE(campaign_judge(campaign_of({false, t0 - 100 * day, "", 0}), license, true, t0).issued);  // strictly before

  CHECK(campaign_judge(campaign_of({false, 0, "20", t0 - 10 * day}), license, true, t0).version);
  CHECK_FALSE(campaign_judge(campaign_of({false, 0, "20", t0 - 10 * day - 1}), license, true, t0).version);
  CHECK(campaign_judge(campaign_of({false, 0, "20", 0}), license, true, t0).version);  // by now
  CHECK_FALSE(campaign_judge(campaign_of({false, 0, "20", 0}), license, true, t0 - 11 * day).version);
  CHECK_FALSE(campaign_judge(campaign_of({false, 0, "20.1", 0}), license, true, t0).version);
}

TEST_CASE("which licenses a campaign looks at, and when it admits") {
  auto campaign = campaign_of({});
  auto license = free_license();
  CHECK(campaign_candidate(campaign, license));
  license.status = license_status::suspended;
  CHECK(campaign_candidate(campaign, license));
  license.status = license_status::expired;
  CHECK_FALSE(campaign_candidate(campaign, license));
  license = free_license();
  license.kind = license_kind::paid;
  CHECK_FALSE(campaign_candidate(campaign, license));
  license = free_license();
  license.product = "other";
  CHECK_FALSE(campaign_candidate(campaign, license));

  CHECK_FALSE(campaign_admitting(campaign, t0));  // a draft
  campaign.status = campaign_status::running;
  CHECK(campaign_admitting(campaign, t0));
  campaign.status = campaign_status::open;
  CHECK(campaign_admitting(campaign, campaign.closes_at - 1));
  CHECK_FALSE(campaign_admitting(campaign, campaign.closes_at));

  license = free_license();
  CHECK_FALSE(campaign_applied(license, "cmp_1"));
  license.campaigns = {"cmp_0", "cmp_1"};
  CHECK(campaign_applied(license, "cmp_1"));
}
