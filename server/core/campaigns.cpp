#include "core/campaigns.hpp"

#include "core/audit.hpp"
#include "core/compliance.hpp"
#include "core/events.hpp"
#include "core/ids.hpp"
#include "core/refusal.hpp"
#include "core/views.hpp"
#include "domain/campaigns.hpp"

namespace licensor::server {
namespace {

const caller campaign_caller = caller_named(caller_kind::operator_, "campaign");

// Extends `license` for `campaign`, re-signed, audited and told.
void license_extend(store::write_view& write, const caller& who, const campaign_record& campaign, license_record& license,
                    const signing& with, std::int64_t now) {
  const auto before = license.expires_at;
  // A perpetual license has nothing to extend; it is admitted all the same (and named).
  if (license.expires_at != 0 && license.expires_at < campaign.extend_to) license.expires_at = campaign.extend_to;
  license.campaigns.push_back(campaign.id);
  license.updated_at = now;
  license_sign(license, with);
  must(write.license_put(license));
  audit_append(write, who, "license.campaign_extend", license.id, now,
               {{"campaign", campaign.id},
                {"before", {{"expires_at", time_or_null(before)}}},
                {"after", {{"expires_at", time_or_null(license.expires_at)}}}});
  license_event_append(write, "campaign_extended", license, now);
}

campaign_verdict verdict_of(const store::read_view& view, const campaign_record& campaign, const license_record& license,
                            std::int64_t now) {
  const bool registered =
      !campaign.conditions.registered_correctly || compliance_registered_correctly(view, license, now);
  return campaign_judge(campaign, license, registered, now);
}

void count(condition_count& counted, bool admits) { ++(admits ? counted.admits : counted.refuses); }

void tally_add(campaign_tally& tally, const campaign_verdict& verdict, bool already) {
  ++tally.candidates;
  count(tally.registered, verdict.registered);
  count(tally.issued, verdict.issued);
  count(tally.version, verdict.version);
  if (!verdict.admitted()) return;
  ++tally.admitted;
  if (already) ++tally.already;
}

nlohmann::json conditions_view(const campaign_conditions& conditions) {
  return {{"registered_correctly", conditions.registered_correctly},
          {"issued_before", time_or_null(conditions.issued_before)},
          {"min_version_seen", text_or_null(conditions.min_version_seen)},
          {"seen_by", time_or_null(conditions.seen_by)}};
}

nlohmann::json tally_view(const campaign_tally& tally) {
  const auto counted = [](const condition_count& c) { return nlohmann::json{{"admits", c.admits}, {"refuses", c.refuses}}; };
  return {{"candidates", tally.candidates},
          {"admitted", tally.admitted},
          {"refused", tally.candidates - tally.admitted},
          {"already_admitted", tally.already},
          {"conditions",
           {{"registered_correctly", counted(tally.registered)},
            {"issued_before", counted(tally.issued)},
            {"version_seen", counted(tally.version)}}}};
}

}  // namespace

campaign_record campaign_create(store::write_view& write, const caller& who, campaign_definition definition,
                                std::int64_t now) {
  if (!must(write.product_get(definition.product))) refuse(errc::product_not_found, "no product '" + definition.product + "'");
  if (definition.extend_to <= now) refuse(errc::bad_request, "field 'extend_to' must be in the future");
  if (definition.closes_at <= now) refuse(errc::bad_request, "field 'closes_at' must be in the future");
  if (definition.conditions.seen_by != 0 && definition.conditions.min_version_seen.empty())
    refuse(errc::bad_request, "field 'conditions.seen_by' needs 'conditions.min_version_seen'");
  campaign_record campaign;
  campaign.id = id_generate("cmp_");
  campaign.name = std::move(definition.name);
  campaign.product = std::move(definition.product);
  campaign.extend_to = definition.extend_to;
  campaign.closes_at = definition.closes_at;
  campaign.conditions = std::move(definition.conditions);
  campaign.created_at = now;
  campaign.created_by = who.id;
  must(write.campaign_put(campaign));
  audit_append(write, who, "campaign.create", campaign.id, now, campaign_view(campaign, now));
  return campaign;
}

campaign_record campaign_find(const store::read_view& view, std::string_view id) {
  return found(view.campaign_get(id), errc::not_found);
}

campaign_report campaign_dry_run(const store::read_view& view, std::string_view id, std::int64_t now) {
  const auto campaign = campaign_find(view, id);
  campaign_report report;
  std::string cursor;
  do {
    auto batch = must(view.licenses_list("", {1'000, cursor}, store::order::oldest_first));
    for (const auto& license : batch.items) {
      if (!campaign_candidate(campaign, license)) continue;
      const auto verdict = verdict_of(view, campaign, license, now);
      const bool already = campaign_applied(license, campaign.id);
      tally_add(report.total, verdict, already);
      tally_add(report.by_partner[license.partner_id], verdict, already);
    }
    cursor = std::move(batch.next);
  } while (!cursor.empty());
  return report;
}

campaign_record campaign_start(store::write_view& write, const caller& who, std::string_view id, std::int64_t now) {
  auto campaign = campaign_find(write, id);
  if (campaign.status != campaign_status::draft) refuse(errc::conflict, "the campaign has already run");
  if (now >= campaign.closes_at) refuse(errc::conflict, "the campaign has closed");
  campaign.status = campaign_status::running;
  campaign.started_at = now;
  must(write.campaign_put(campaign));
  audit_append(write, who, "campaign.run", campaign.id, now);
  return campaign;
}

bool campaign_run_batch(store::write_view& write, const signing& with, std::int64_t now, std::size_t limit) {
  for (auto campaign : must(write.campaigns_list())) {
    if (campaign.status != campaign_status::running) continue;
    if (now < campaign.closes_at) {
      const auto batch = must(write.licenses_list("", {limit, campaign.cursor}, store::order::oldest_first));
      for (auto license : batch.items) {
        if (!campaign_candidate(campaign, license)) continue;
        ++campaign.checked;
        if (campaign_applied(license, campaign.id) || !verdict_of(write, campaign, license, now).admitted()) continue;
        license_extend(write, campaign_caller, campaign, license, with, now);
        ++campaign.admitted;
      }
      campaign.cursor = batch.next;
    } else {
      campaign.cursor.clear();  // closed while it ran: what is left is not admitted
    }
    if (campaign.cursor.empty()) {
      campaign.status = campaign_status::open;
      campaign.finished_at = now;
      audit_append(write, campaign_caller, "campaign.finish", campaign.id, now,
                   {{"checked", campaign.checked}, {"admitted", campaign.admitted}});
    }
    must(write.campaign_put(campaign));
    return true;
  }
  return false;
}

std::vector<campaign_record> campaigns_admitting(const store::read_view& view, std::int64_t now) {
  std::vector<campaign_record> admitting;
  for (auto& campaign : must(view.campaigns_list()))
    if (campaign_admitting(campaign, now)) admitting.push_back(std::move(campaign));
  return admitting;
}

std::size_t campaigns_admit(store::write_view& write, std::vector<campaign_record>& campaigns, license_record& license,
                            const signing& with, std::int64_t now) {
  std::size_t admitted = 0;
  for (auto& campaign : campaigns) {
    if (!campaign_candidate(campaign, license) || campaign_applied(license, campaign.id) ||
        !verdict_of(write, campaign, license, now).admitted())
      continue;
    license_extend(write, campaign_caller, campaign, license, with, now);
    ++campaign.admitted;
    must(write.campaign_put(campaign));
    ++admitted;
  }
  return admitted;
}

nlohmann::json campaign_view(const campaign_record& campaign, std::int64_t now) {
  const bool closed = campaign.status == campaign_status::open && now >= campaign.closes_at;
  return {{"id", campaign.id},
          {"name", campaign.name},
          {"product", campaign.product},
          {"extend_to", time_or_null(campaign.extend_to)},
          {"closes_at", time_or_null(campaign.closes_at)},
          {"conditions", conditions_view(campaign.conditions)},
          {"status", closed ? "closed" : campaign_status_name(campaign.status)},
          {"checked", campaign.checked},
          {"admitted", campaign.admitted},
          {"created_at", time_or_null(campaign.created_at)},
          {"created_by", campaign.created_by},
          {"started_at", time_or_null(campaign.started_at)},
          {"finished_at", time_or_null(campaign.finished_at)}};
}

nlohmann::json campaign_report_view(const campaign_record& campaign, const campaign_report& report, std::int64_t now) {
  auto partners = nlohmann::json::array();
  for (const auto& [partner_id, tally] : report.by_partner) {
    auto row = tally_view(tally);
    row["partner_id"] = partner_id;
    partners.push_back(std::move(row));
  }
  auto view = tally_view(report.total);
  view["campaign"] = campaign_view(campaign, now);
  view["at"] = time_or_null(now);
  view["by_partner"] = std::move(partners);
  return view;
}

}  // namespace licensor::server
