// Webhook endpoints (/v1/webhook-endpoints): operators' hear every event, a partner's only its
// own. The secret is shown once, when the endpoint is made and at each rotation; the endpoint's
// view never shows it again. The event catalogue is /v1/event-types.
#include "api/body_reader.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "core/events.hpp"
#include "core/ids.hpp"
#include "core/views.hpp"
#include "core/webhooks.hpp"
#include "domain/webhook_signature.hpp"
#include "licensor/rfc3339.hpp"
#include "outbound/http_client.hpp"

namespace licensor::server {
namespace {

nlohmann::json endpoint_view(const webhook_endpoint_record& endpoint) {
  return {{"id", endpoint.id},
          {"partner_id", text_or_null(endpoint.partner_id)},
          {"url", endpoint.url},
          {"description", endpoint.description},
          {"event_types", endpoint.event_types},
          {"enabled", endpoint.enabled},
          {"disabled_reason", text_or_null(endpoint.disabled_reason)},
          {"failing_since", time_or_null(endpoint.failing_since)},
          {"last_success_at", time_or_null(endpoint.last_success_at)},
          {"previous_secret_expires_at", time_or_null(endpoint.previous_secret.empty() ? 0 : endpoint.previous_secret_until)},
          {"created_at", rfc3339_format(endpoint.created_at)},
          {"updated_at", rfc3339_format(endpoint.updated_at)}};
}

webhook_endpoint_order order_of(const service& svc, const nlohmann::json& body_json) {
  const body_reader body(body_json, {"url", "description", "event_types", "enabled"});
  webhook_endpoint_order order;
  order.url = body.optional_string("url");
  order.description = body.optional_string("description");
  order.event_types = body.optional_strings("event_types");
  order.enabled = body.optional_bool("enabled");
  if (order.url) {
    if (const auto problem = outbound_url_problem(*order.url, svc.config().outbound); !problem.empty())
      refuse(errc::bad_request, "'url': " + problem);
  }
  if (order.event_types) event_types_check(*order.event_types);
  return order;
}

}  // namespace

void event_type_list(service&, api_call&, responder respond) {
  auto items = nlohmann::json::array();
  for (const auto& info : event_types_all()) items.push_back({{"type", info.type}, {"summary", info.summary}});
  respond(answer({{"items", std::move(items)}}));
}

void webhook_endpoint_create(service& svc, api_call& call, responder respond) {
  const auto order = order_of(svc, call.body);
  if (!order.url) refuse(errc::bad_request, "field 'url' is required");
  const auto id = id_generate("whe_");
  const auto secret = webhook_secret_generate();
  svc.commit(call, [who = call.who, order, id, secret, now = svc.now()](store::write_view& write, const signing&) {
    auto view = endpoint_view(webhook_endpoint_create(write, who, order, id, secret, now));
    view["secret"] = secret;
    return answer_with_secret(std::move(view), 201);
  }, std::move(respond));
}

void webhook_endpoint_list(service& svc, api_call& call, responder respond) {
  const store::page<webhook_endpoint_record> endpoints{webhook_endpoints_of(*svc.read(), call.who), {}};
  respond(page_answer(endpoints, endpoint_view));
}

void webhook_endpoint_get(service& svc, api_call& call, responder respond) {
  respond(answer(endpoint_view(webhook_endpoint_reach(*svc.read(), call.who, call.params[0]))));
}

void webhook_endpoint_update(service& svc, api_call& call, responder respond) {
  const auto order = order_of(svc, call.body);
  svc.commit(call, [who = call.who, id = call.params[0], order, now = svc.now()](store::write_view& write, const signing&) {
    return answer(endpoint_view(webhook_endpoint_update(write, who, id, order, now)));
  }, std::move(respond));
}

void webhook_endpoint_delete(service& svc, api_call& call, responder respond) {
  svc.commit(call, [who = call.who, id = call.params[0], now = svc.now()](store::write_view& write, const signing&) {
    webhook_endpoint_delete(write, who, id, now);
    return answer(nlohmann::json{{"id", id}, {"deleted", true}});
  }, std::move(respond));
}

void webhook_secret_rotate(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {});
  const auto secret = webhook_secret_generate();
  svc.commit(call, [who = call.who, id = call.params[0], secret, now = svc.now()](store::write_view& write, const signing&) {
    auto view = endpoint_view(webhook_secret_rotate(write, who, id, secret, now));
    view["secret"] = secret;
    return answer_with_secret(std::move(view), 200);
  }, std::move(respond));
}

void webhook_test(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {});
  svc.commit(call, [who = call.who, id = call.params[0], now = svc.now()](store::write_view& write, const signing&) {
    return answer(event_envelope(webhook_test_send(write, who, id, now)), 202);
  }, std::move(respond));
}

void webhook_resend(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"event_id"});
  svc.commit(call, [who = call.who, id = call.params[0], event_id = body.string("event_id"), now = svc.now()](
                       store::write_view& write, const signing&) {
    webhook_resend(write, who, id, event_id, now);
    return answer(nlohmann::json{{"event_id", event_id}, {"queued", true}}, 202);
  }, std::move(respond));
}

void webhook_delivery_list(service& svc, api_call& call, responder respond) {
  respond(page_answer(webhook_deliveries(*svc.read(), call.who, call.params[0], page_of(call)), delivery_attempt_view));
}

}  // namespace licensor::server
