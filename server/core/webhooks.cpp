#include "core/webhooks.hpp"

#include "core/audit.hpp"
#include "core/events.hpp"
#include "core/refusal.hpp"
#include "domain/webhook_delivery.hpp"

namespace licensor::server {
namespace {

constexpr std::size_t description_max = 500;
constexpr std::size_t event_types_max = 100;

std::string owner_of(const caller& who) {
  if (who.kind == caller_kind::operator_) return {};
  if (who.kind == caller_kind::partner) return who.partner_id;
  refuse(errc::forbidden, "only operators and partners have webhook endpoints");
}

void order_apply(webhook_endpoint_record& endpoint, const webhook_endpoint_order& order) {
  if (order.url) endpoint.url = *order.url;
  if (order.description) {
    if (order.description->size() > description_max) refuse(errc::bad_request, "'description' is longer than 500 characters");
    endpoint.description = *order.description;
  }
  if (order.event_types) {
    event_types_check(*order.event_types);
    endpoint.event_types = *order.event_types;
  }
}

nlohmann::json audit_details(const webhook_endpoint_record& endpoint) {
  return {{"url", endpoint.url}, {"event_types", endpoint.event_types}, {"enabled", endpoint.enabled}};
}

}  // namespace

void event_types_check(const std::vector<std::string>& types) {
  if (types.size() > event_types_max) refuse(errc::bad_request, "at most 100 event types");
  for (const auto& type : types) {
    bool known = false;
    for (const auto& info : event_types_all()) {
      const std::span<const std::string> one(&type, 1);
      known = known || event_type_wanted(one, info.type);
    }
    if (!known) refuse(errc::bad_request, "unknown event type '" + type + "' (GET /v1/event-types lists them)");
  }
}

webhook_endpoint_record webhook_endpoint_create(store::write_view& write, const caller& who,
                                                const webhook_endpoint_order& order, const std::string& id,
                                                const std::string& secret, std::int64_t now) {
  webhook_endpoint_record endpoint;
  endpoint.id = id;
  endpoint.partner_id = owner_of(who);
  if (!order.url) refuse(errc::bad_request, "'url' is required");
  order_apply(endpoint, order);
  endpoint.enabled = order.enabled.value_or(true);
  if (!endpoint.enabled) endpoint.disabled_reason = "owner";
  endpoint.secret = secret;
  endpoint.created_at = endpoint.updated_at = now;
  endpoint.created_by = who.id;
  endpoint.cursor = must(write.outbox_last_seq());
  if (!endpoint.partner_id.empty()) (void)found(write.partner_get(endpoint.partner_id), errc::partner_not_found);
  must(write.webhook_endpoint_put(endpoint));
  audit_append(write, who, "webhook_endpoint.create", endpoint.id, now, audit_details(endpoint));
  return endpoint;
}

webhook_endpoint_record webhook_endpoint_reach(const store::read_view& view, const caller& who, const std::string& id) {
  auto endpoint = found(view.webhook_endpoint_get(id), errc::not_found);
  if (endpoint.partner_id != owner_of(who) || endpoint.channel != "webhook") refuse(errc::not_found);
  return endpoint;
}

std::vector<webhook_endpoint_record> webhook_endpoints_of(const store::read_view& view, const caller& who) {
  const auto owner = owner_of(who);
  std::vector<webhook_endpoint_record> out;
  for (auto& endpoint : must(view.webhook_endpoints()))
    if (endpoint.partner_id == owner && endpoint.channel == "webhook") out.push_back(std::move(endpoint));
  return out;
}

webhook_endpoint_record webhook_endpoint_update(store::write_view& write, const caller& who, const std::string& id,
                                                const webhook_endpoint_order& order, std::int64_t now) {
  auto endpoint = webhook_endpoint_reach(write, who, id);
  order_apply(endpoint, order);
  if (order.enabled && *order.enabled != endpoint.enabled) {
    endpoint.enabled = *order.enabled;
    endpoint.disabled_reason = endpoint.enabled ? "" : "owner";
    endpoint.failing_since = 0;
  }
  endpoint.updated_at = now;
  must(write.webhook_endpoint_put(endpoint));
  audit_append(write, who, "webhook_endpoint.update", endpoint.id, now, audit_details(endpoint));
  return endpoint;
}

void webhook_endpoint_delete(store::write_view& write, const caller& who, const std::string& id, std::int64_t now) {
  const auto endpoint = webhook_endpoint_reach(write, who, id);
  must(write.webhook_endpoint_erase(id));
  audit_append(write, who, "webhook_endpoint.delete", endpoint.id, now, audit_details(endpoint));
}

webhook_endpoint_record webhook_secret_rotate(store::write_view& write, const caller& who, const std::string& id,
                                              const std::string& secret, std::int64_t now) {
  auto endpoint = webhook_endpoint_reach(write, who, id);
  endpoint.previous_secret = endpoint.secret;
  endpoint.previous_secret_until = now + webhook_secret_overlap_seconds;
  endpoint.secret = secret;
  endpoint.updated_at = now;
  must(write.webhook_endpoint_put(endpoint));
  audit_append(write, who, "webhook_endpoint.rotate_secret", endpoint.id, now);
  return endpoint;
}

store::outbox_event webhook_test_send(store::write_view& write, const caller& who, const std::string& id,
                                      std::int64_t now) {
  const auto endpoint = webhook_endpoint_reach(write, who, id);
  if (!endpoint.enabled) refuse(errc::conflict, "the endpoint is disabled; enable it first");
  auto event = event_append(write, "webhook.test", endpoint.partner_id, "webhook_endpoint:" + endpoint.id,
                            {{"endpoint_id", endpoint.id}, {"message", "a test event from Licensor"}}, now);
  audit_append(write, who, "webhook_endpoint.test", endpoint.id, now, {{"event_id", event.id}});
  return event;
}

void webhook_resend(store::write_view& write, const caller& who, const std::string& id, const std::string& event_id,
                    std::int64_t now) {
  const auto endpoint = webhook_endpoint_reach(write, who, id);
  const auto event = found(write.outbox_event_by_id(event_id), errc::not_found);
  auto wanted = endpoint;
  wanted.enabled = true;  // a disabled endpoint's resend waits until it is enabled again
  if (!webhook_wants(wanted, event)) refuse(errc::not_found, "this endpoint does not receive that event");
  must(write.delivery_pending_put({endpoint.id, event.seq, event.subject, 0, now, 0, ""}));
  audit_append(write, who, "webhook_endpoint.resend", endpoint.id, now, {{"event_id", event.id}});
}

store::page<store::delivery_attempt> webhook_deliveries(const store::read_view& view, const caller& who,
                                                        const std::string& id, const store::page_request& page) {
  (void)webhook_endpoint_reach(view, who, id);
  return must(view.delivery_log(id, page));
}

bool webhook_wants(const webhook_endpoint_record& endpoint, const store::outbox_event& event) {
  if (!endpoint.enabled) return false;
  if (!endpoint.partner_id.empty() && event.partner_id != endpoint.partner_id) return false;
  if (event.type == "webhook.test") return event_data(event).value("endpoint_id", "") == endpoint.id;
  return event_type_wanted(endpoint.event_types, event.type);
}

}  // namespace licensor::server
