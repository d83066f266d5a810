#include "core/events.hpp"

#include <array>

#include "core/ids.hpp"
#include "core/refusal.hpp"
#include "core/subscription_views.hpp"
#include "core/views.hpp"
#include "domain/json_read.hpp"
#include "domain/json_write.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {
namespace {

constexpr std::array event_types{
    event_type_info{"license.issued", "a license was issued (also a subscription's, and the new license of a partial upgrade)"},
    event_type_info{"license.activated", "an activation bound a machine, moved the license to the active key or renewed its token"},
    event_type_info{"license.suspended", "the license was suspended"},
    event_type_info{"license.reinstated", "a suspended license was reinstated"},
    event_type_info{"license.revoked", "the license was revoked"},
    event_type_info{"license.transferred", "the license moved to another customer"},
    event_type_info{"license.unlinked", "the license was detached from its customer"},
    event_type_info{"license.deleted", "the license was deleted (data: as it was)"},
    event_type_info{"license.expiring", "an active license expires in data.days_left days (30, 7 and 1 by default)"},
    event_type_info{"license.expired", "a license that is not a subscription passed its expiry"},
    event_type_info{"license.imported", "a license was imported from a vendor's earlier records, with its original issue date (data: the license)"},
    event_type_info{"license.converted", "a free license became paid (or a subscription), keeping its key; its free slot was given back"},
    event_type_info{"license.corrected", "an operator corrected the license's expiry or features; its token was re-signed"},
    event_type_info{"license.compliance_flagged", "the compliance sweep found the free license registered wrongly (data.compliance: the rules, the deadline); again when the rules change"},
    event_type_info{"license.compliance_deadline_near", "a flagged free license reaches its deadline in data.days_left days (7)"},
    event_type_info{"license.compliance_cleared", "a flagged free license's registration was fixed: its token is normal again"},
    event_type_info{"license.compliance_expired", "a flagged free license reached its deadline still wrong: it expired and gave back its slots"},
    event_type_info{"license.campaign_extended", "a campaign admitted the free license: its expiry is no earlier than the campaign's date (data.campaigns names it)"},
    event_type_info{"license.delivery_requested", "the delivery letter was asked for by mail (at issuance, or later)"},
    event_type_info{"subscription.created", "a subscription was sold (a trial or paid; also the new one of a partial upgrade)"},
    event_type_info{"subscription.seats_changed", "seats were added or removed"},
    event_type_info{"subscription.member_added", "a member took a seat (data.member: the email)"},
    event_type_info{"subscription.member_removed", "a member left a seat (data.member: the email)"},
    event_type_info{"subscription.upgraded", "the whole subscription moved to a higher tier"},
    event_type_info{"subscription.scheduled_change_set", "a change was scheduled for the renewal"},
    event_type_info{"subscription.scheduled_change_applied", "a scheduled change took effect at the renewal"},
    event_type_info{"subscription.renewed", "a new term started and was charged"},
    event_type_info{"subscription.cancelled", "the subscription was cancelled, with its refund"},
    event_type_info{"subscription.trial_converted", "a trial became paid (or moved into another subscription)"},
    event_type_info{"subscription.suspended", "the partner suspended the subscription"},
    event_type_info{"subscription.reactivated", "a suspended subscription was reactivated"},
    event_type_info{"subscription.expired", "the term ended without a renewal"},
    event_type_info{"subscription.trial_ending", "a trial ends in data.days_left days (7)"},
    event_type_info{"ledger.entry", "a charge or refund was recorded (data: the ledger entry)"},
    event_type_info{"partner.cap_nearly_reached", "a free license took the partner to 80% of its level's cap"},
    event_type_info{"partner.cap_reached", "a free license took the partner to its level's cap: the next is refused"},
    event_type_info{"partner.enabling_requested", "a partner asked to be enabled to issue (data.requested_by, data.message)"},
    event_type_info{"partner.enabled", "an operator allowed the partner to issue licenses (data.enabling_request: the request and the reply, when there was one)"},
    event_type_info{"partner.enabling_refused", "an operator refused the partner's request to issue (data.enabling_request.reply says why)"},
    event_type_info{"key.rotated", "a new signing key is in force (the vendor's own event)"},
    event_type_info{"key.revoked", "a signing key was revoked; its licenses are re-signed (the vendor's own event)"},
    event_type_info{"user.invited", "a person was invited (data: the user, without the invitation's token; data.emailed)"},
    event_type_info{"user.password_reset_requested", "a password reset was started, to be sent by mail (no token)"},
    event_type_info{"webhook.test", "a test event, asked for on one endpoint and sent only to it"},
    event_type_info{"webhook.endpoint_disabled", "an endpoint was disabled: it answered 410, or failed for 5 days"},
};

}  // namespace

std::span<const event_type_info> event_types_all() { return event_types; }

namespace {

// `data` is the event's data written as JSON text.
store::outbox_event event_text_append(store::write_view& write, std::string_view type, const std::string& partner_id,
                                      std::string subject, std::string data, std::int64_t now) {
  store::outbox_event event{0, id_generate("evt_"), std::string(type), now, partner_id, std::move(subject), std::move(data)};
  (void)must(write.outbox_append(event));
  return event;
}

}  // namespace

store::outbox_event event_append(store::write_view& write, std::string_view type, const std::string& partner_id,
                                 std::string subject, nlohmann::json data, std::int64_t now) {
  return event_text_append(write, type, partner_id, std::move(subject), json_write(data), now);
}

std::string license_event_append(store::write_view& write, std::string_view what, const license_record& license,
                                 std::int64_t now) {
  auto view = json_write(license_view(license));
  event_text_append(write, "license." + std::string(what), license.partner_id, "license:" + license.id, view, now);
  return view;
}

std::string_view license_status_event(std::string_view action) {
  if (action == "suspend") return "suspended";
  if (action == "reinstate") return "reinstated";
  if (action == "revoke") return "revoked";
  return action;
}

void subscription_event_append(store::write_view& write, std::string_view what, const license_record& license,
                               std::int64_t now, const nlohmann::json& extra) {
  auto data = subscription_license_view(write, license, now);
  if (extra.is_object()) data.update(extra);
  event_append(write, "subscription." + std::string(what), license.partner_id, "license:" + license.id, std::move(data), now);
}

namespace {

// Every member of the envelope but "data".
nlohmann::json envelope_head(const store::outbox_event& event) {
  return {{"id", event.id},
          {"type", event.type},
          {"version", event_envelope_version},
          {"seq", event.seq},
          {"occurred_at", rfc3339_format(event.occurred_at)},
          {"partner_id", text_or_null(event.partner_id)},
          {"subject", event.subject}};
}

}  // namespace

nlohmann::json event_envelope(const store::outbox_event& event) {
  auto envelope = envelope_head(event);
  envelope["data"] = event_data(event);
  return envelope;
}

nlohmann::json event_data(const store::outbox_event& event) {
  auto data = json_read(event.data);
  return data.is_object() ? data : nlohmann::json::object();
}

std::string event_envelope_text(const store::outbox_event& event) {
  // A document dumps its members sorted by name, and "data" sorts before every other member
  // of the head, so the envelope is "{" "data" "," and the head's members.
  const auto head = json_write(envelope_head(event));
  return R"({"data":)" + event.data + "," + head.substr(1);
}

}  // namespace licensor::server
