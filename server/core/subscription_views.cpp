#include "core/subscription_views.hpp"

#include "core/views.hpp"
#include "core/subscription_changes.hpp"
#include "licensor/rfc3339.hpp"
#include "subscription/rules.hpp"

namespace licensor::server {
namespace sub = subscription;
namespace {

nlohmann::json subscription_view(const sub::subscription_record& s, std::uint32_t members, const license_record& license,
                                 std::int64_t now) {
  const bool live = license.status == license_status::active || license.status == license_status::suspended;
  auto windows = nlohmann::json::array();
  std::uint32_t reducible = 0;
  if (live && !s.trial) {
    for (const auto& window : sub::seat_windows_open(s.lots, now)) {
      windows.push_back({{"seats", window.seats}, {"until", rfc3339_format(window.until)}});
      reducible += window.seats;
    }
  }
  if (reducible >= license.seats) reducible = license.seats - 1;  // a license keeps at least one seat
  const bool cancel_open = live && !s.trial && sub::change_window_open(s.term_start, now);
  nlohmann::json out{{"term", s.term},
                     {"term_start", rfc3339_format(s.term_start)},
                     {"term_end", rfc3339_format(s.term_end)},
                     {"auto_renew", s.auto_renew},
                     {"trial", s.trial},
                     {"base_license_id", text_or_null(s.base_license_id)},
                     {"addons", s.addons},
                     {"currency", s.currency},
                     {"term_charged", s.term_charged},
                     {"members", members},
                     {"seat_decrease", {{"seats_reducible_now", reducible},
                                        {"until", windows.empty() ? nlohmann::json() : windows.front()["until"]},
                                        {"windows", windows}}},
                     {"cancel", {{"allowed_now", cancel_open}, {"until", rfc3339_format(sub::change_window_close(s.term_start))}}},
                     {"scheduled_change", s.scheduled.empty()
                                              ? nlohmann::json()
                                              : nlohmann::json{{"tier", text_or_null(s.scheduled.tier)},
                                                               {"seats", s.scheduled.seats == 0 ? nlohmann::json() : nlohmann::json(s.scheduled.seats)},
                                                               {"term", text_or_null(s.scheduled.term)},
                                                               {"effective_at", rfc3339_format(s.term_end)}}}};
  if (!s.converted_into.empty()) out["converted_into"] = s.converted_into;
  return out;
}

}  // namespace

nlohmann::json subscription_license_view(const store::read_view& view, const license_record& license, std::int64_t now) {
  auto out = license_view(license);
  if (const auto summary = subscription_summary_of(view, license.id))
    out["subscription"] = subscription_view(summary->terms, summary->members, license, now);
  return out;
}

nlohmann::json ledger_view(const sub::ledger_entry& entry) {
  return {{"seq", entry.seq},
          {"license_id", entry.license_id},
          {"partner_id", entry.partner_id},
          {"at", rfc3339_format(entry.at)},
          {"type", entry.type},
          {"reason", entry.reason},
          {"amount", entry.amount},
          {"currency", entry.currency},
          {"tier", entry.tier},
          {"seats", entry.seats},
          {"period_start", rfc3339_format(entry.period_start)},
          {"period_end", rfc3339_format(entry.period_end)},
          {"discount_percent", entry.discount_percent},
          {"by", text_or_null(entry.by)}};
}

}  // namespace licensor::server
