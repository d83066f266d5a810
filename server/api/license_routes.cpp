// Issuing and managing licenses: each handler parses, calls one core operation (core/licenses.hpp)
// and renders. Issuance signs before it submits (license_prepare), so the writer only stores.
#include <algorithm>
#include <functional>
#include <optional>

#include "api/body_reader.hpp"
#include "api/list_filters.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "api/scope.hpp"
#include "core/subscription_views.hpp"
#include "core/views.hpp"
#include "core/customers.hpp"
#include "core/license_reach.hpp"
#include "core/licenses.hpp"
#include "licensor/app_version.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {
namespace {

license_settings settings_of(const service& svc) { return {svc.config().caps, svc.config().leeway_seconds}; }

api_response license_answer(const license_record& license) { return answer(license_view(license)); }

// suspend, reinstate and revoke.
void license_status_route(service& svc, api_call& call, responder respond, std::string action) {
  (void)body_reader(call.body, {});
  svc.commit(call, [who = call.who, id = call.params[0], action, settings = settings_of(svc),
                    now = svc.now()](store::write_view& write, const signing& with) {
    const auto license = license_status_set(write, who, id, action, with, settings, now);
    return answer(subscription_license_view(write, license, now));
  }, std::move(respond));
}

}  // namespace

void license_issue(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"customer_id", "product", "tier", "kind", "seats", "expires_at", "term_days",
                                     "features", "partner_id", "send_delivery_letter"});
  const auto now = svc.now();
  const auto send_letter = body.optional_bool("send_delivery_letter");
  license_order order;
  order.partner_id = acting_partner(call, body);
  order.customer_id = body.string("customer_id");
  order.product = body.string("product");
  order.tier = body.optional_string("tier");
  const auto kind = license_kind_parse(body.optional_string("kind").value_or("paid"));
  if (!kind) refuse(errc::bad_request, "field 'kind' must be free, trial or paid");
  order.kind = *kind;
  order.seats = static_cast<std::uint32_t>(body.optional_integer("seats", 1, 1'000'000).value_or(1));
  order.features = body.optional_strings("features").value_or(std::vector<std::string>{});
  const auto expires_at = body.optional_time("expires_at");
  const auto term_days = body.optional_integer("term_days", 1, 36'500);
  if (expires_at && term_days) refuse(errc::bad_request, "give 'expires_at' or 'term_days', not both");
  if (expires_at) {
    if (*expires_at <= now) refuse(errc::bad_request, "field 'expires_at' must be in the future");
    order.expires_at = *expires_at;
  } else if (term_days) {
    order.expires_at = now + *term_days * day_seconds;
  }
  const auto with = svc.signing_now();
  // The checks read the snapshot the caller was authenticated in (router.cpp: keeps_snapshot),
  // given back before the commit; the job checks again what the token depends on.
  auto license = license_prepare(call.authenticated_in ? *call.authenticated_in : *svc.read(), order, with, now);
  call.authenticated_in.reset();
  svc.commit(call, with, [who = call.who, license, settings = settings_of(svc), send_letter, now](
                             store::write_view& write, const signing& presigned) {
    auto issued = license;
    auto stored = license_issue(write, who, issued, presigned, settings, now);
    license_delivery_on_issue(write, issued, send_letter.value_or(stored.partner.deliver_at_issuance), now);
    return answer_json_text(std::move(stored.view), 201);
  }, std::move(respond));
}

void license_list(service& svc, api_call& call, responder respond) {
  const auto filter = license_filter_of(call);
  // One customer's licenses through the customer's index, on one page (a customer holds few):
  // a customer's own, or the one ?customer_id names.
  const auto one_page = [&](std::vector<license_record> held) {
    if (filter) std::erase_if(held, [&](const license_record& license) { return !(*filter)(license); });
    licenses_sort(held, call.query);
    respond(page_answer(store::page<license_record>{std::move(held), {}}, license_view));
  };
  if (call.who.kind == caller_kind::customer) return one_page(licenses_of_customer_person(*svc.read(), call.who));
  const auto snapshot = svc.read();
  const auto partner = listing_partner(call);
  const auto read = license_pages_of(call.query, *snapshot, partner);
  if (const auto customer = call.query.find("customer_id"); customer != call.query.end())
    return one_page(must(snapshot->licenses_of_customer(customer_visible(*snapshot, call.who, customer->second).id)));
  if (!filter) return respond(page_answer(read(page_of(call)), license_view));
  respond(page_answer(page_filtered<license_record>(page_of(call), read, *filter), license_view));
}

void license_get(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  const auto license = license_visible(*snapshot, call.who, call.params[0]);
  if (!svc.signer()->keyring.is_revoked(KeyId{license.kid}))
    return respond(answer(subscription_license_view(*snapshot, license, svc.now())));
  // A token of a revoked key is never handed out, even before the re-signing job reaches its
  // license: this read re-signs it first.
  svc.commit(call, [who = call.who, id = license.id, now = svc.now()](store::write_view& write, const signing& with) {
    return answer(subscription_license_view(write, license_token_fresh(write, who, id, with, now), now));
  }, std::move(respond));
}

// An operator's correction: {"expires_at": RFC 3339 or null (perpetual), "features": [...]}.
void license_update(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"expires_at", "features"});
  license_correction correction;
  if (call.body.contains("expires_at")) {
    correction.expires_at = call.body.at("expires_at").is_null() ? 0 : body.optional_time("expires_at").value_or(0);
    if (!call.body.at("expires_at").is_null() && *correction.expires_at <= 0)
      refuse(errc::bad_request, "field 'expires_at' must be after 1970");
  }
  correction.features = body.optional_strings("features");
  if (!correction.expires_at && !correction.features) refuse(errc::bad_request, "give 'expires_at' or 'features'");
  if (correction.features && correction.features->size() > 100) refuse(errc::bad_request, "field 'features' lists at most 100");
  svc.commit(call, [who = call.who, id = call.params[0], correction, now = svc.now()](store::write_view& write,
                                                                                     const signing& with) {
    return license_answer(license_correct(write, who, id, correction, with, now));
  }, std::move(respond));
}

void license_token_get(service& svc, api_call& call, responder respond) {
  svc.commit(call, [who = call.who, id = call.params[0], now = svc.now()](store::write_view& write, const signing& with) {
    const auto license = license_token_fresh(write, who, id, with, now);
    return answer({{"id", license.id}, {"token", license.token}, {"kid", license.kid}, {"keyring", with.signer->keyring_token}});
  }, std::move(respond));
}

void license_suspend(service& svc, api_call& call, responder respond) { license_status_route(svc, call, std::move(respond), "suspend"); }
void license_reinstate(service& svc, api_call& call, responder respond) { license_status_route(svc, call, std::move(respond), "reinstate"); }
void license_revoke(service& svc, api_call& call, responder respond) { license_status_route(svc, call, std::move(respond), "revoke"); }

void license_unlink(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  svc.commit(call, [who = call.who, id = call.params[0], settings = settings_of(svc), now = svc.now()](
                       store::write_view& write, const signing&) {
    return license_answer(license_unlink(write, who, id, settings, now));
  }, std::move(respond));
}

void license_transfer(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"customer_id"});
  svc.commit(call, [who = call.who, id = call.params[0], target = body.string("customer_id"), settings = settings_of(svc),
                    now = svc.now()](store::write_view& write, const signing& with) {
    return license_answer(license_transfer(write, who, id, target, with, settings, now));
  }, std::move(respond));
}

void license_delete(service& svc, api_call& call, responder respond) {
  svc.commit(call, [who = call.who, id = call.params[0], settings = settings_of(svc), now = svc.now()](
                       store::write_view& write, const signing& with) {
    license_delete(write, who, id, with, settings, now);
    return answer({{"id", id}, {"deleted", true}});
  }, std::move(respond));
}

}  // namespace licensor::server
