#include "core/partners.hpp"

#include "core/audit.hpp"
#include "core/events.hpp"
#include "core/free_slots.hpp"
#include "core/refusal.hpp"
#include "core/views.hpp"

namespace licensor::server {

bool partner_issuing(const store::read_view& view, const std::string& partner_id) {
  const auto partner = must(view.partner_get(partner_id));
  return partner && license_issue_allowed(*partner).ok();
}

void partner_issuing_or_refuse(const store::read_view& view, const std::string& partner_id) {
  if (!partner_issuing(view, partner_id))
    refuse(errc::partner_not_enabled, "the partner may not issue licenses or widen them (can_issue is off)");
}

void partner_changes_apply(partner_record& partner, const partner_changes& changes) {
  if (changes.name) partner.name = *changes.name;
  if (changes.level) partner.level = *changes.level;
  if (changes.email_domains) partner.email_domains = *changes.email_domains;
  if (changes.can_issue) partner.can_issue = *changes.can_issue;
  if (changes.discount_percent) partner.discount_percent = *changes.discount_percent;
  if (changes.notification_email) partner.notification_email = *changes.notification_email;
  if (changes.language) partner.language = *changes.language;
  if (changes.deliver_at_issuance) partner.deliver_at_issuance = *changes.deliver_at_issuance;
}

void partner_create(store::write_view& write, const caller& who, const partner_record& partner, std::int64_t now) {
  must(write.partner_put(partner));
  audit_append(write, who, "partner.create", partner.id, now, partner);
}

partner_record partner_update(store::write_view& write, const caller& who, std::string_view id,
                              const partner_changes& changes, std::int64_t now) {
  auto partner = found(write.partner_get(id), errc::partner_not_found);
  const nlohmann::json before = partner;
  partner_changes_apply(partner, changes);
  if (partner.can_issue && partner.enabling_status == "pending") {  // enabled by hand: the request is answered
    partner.enabling_status = "approved";
    partner.enabling_decided_at = now;
  }
  must(write.partner_put(partner));
  audit_append(write, who, "partner.update", partner.id, now, {{"before", before}, {"after", partner}});
  if (partner.can_issue && !before.value("can_issue", false))
    event_append(write, "partner.enabled", partner.id, "partner:" + partner.id, partner_view(partner), now);
  return partner;
}

partner_record partner_enabling_request(store::write_view& write, const caller& who, const std::string& message,
                                        std::int64_t now) {
  if (who.kind != caller_kind::partner) refuse(errc::forbidden, "only a partner asks to be enabled");
  auto partner = found(write.partner_get(who.partner_id), errc::partner_not_found);
  if (partner.can_issue) return partner;  // nothing to ask for
  partner.enabling_requested_at = now;
  partner.enabling_status = "pending";
  partner.enabling_message = message;
  partner.enabling_requested_by = who.email.empty() ? who.id : who.email;
  partner.enabling_reply.clear();
  partner.enabling_decided_at = 0;
  must(write.partner_put(partner));
  audit_append(write, who, "partner.enabling_request", partner.id, now, {{"message", message}});
  auto data = partner_view(partner);
  data["requested_by"] = who.email.empty() ? who.id : who.email;
  data["message"] = message;
  event_append(write, "partner.enabling_requested", partner.id, "partner:" + partner.id, std::move(data), now);
  return partner;
}

partner_record partner_enabling_decide(store::write_view& write, const caller& who, std::string_view id,
                                       bool approve, const std::string& reply, std::int64_t now) {
  auto partner = found(write.partner_get(id), errc::partner_not_found);
  if (partner.enabling_status != "pending") refuse(errc::conflict, "the partner has no pending request to be enabled");
  if (!approve && reply.empty()) refuse(errc::bad_request, "a refusal says why: field 'reply' is required");
  partner.enabling_status = approve ? "approved" : "refused";
  partner.enabling_reply = reply;
  partner.enabling_decided_at = now;
  if (approve) partner.can_issue = true;
  must(write.partner_put(partner));
  audit_append(write, who, approve ? "partner.enabling_approve" : "partner.enabling_refuse", partner.id, now,
               {{"reply", reply}});
  event_append(write, approve ? "partner.enabled" : "partner.enabling_refused", partner.id, "partner:" + partner.id,
               partner_view(partner), now);
  return partner;
}

partner_usage partner_usage_of(const store::read_view& view, const partner_record& partner, const level_caps& caps,
                               std::int64_t now) {
  return {free_cap_used(view, partner.id, now), caps.cap_for(partner.level).value_or(0)};
}

}  // namespace licensor::server
