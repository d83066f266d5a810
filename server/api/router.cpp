#include "api/router.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <optional>

#include "api/idempotency.hpp"
#include "api/routes.hpp"
#include "core/credentials.hpp"
#include "core/sessions.hpp"
#include "domain/json_read.hpp"
#include "domain/secret_hash.hpp"

namespace licensor::server {
namespace {

using enum permission;
// A route anyone may call (apps activating and validating, the public documents).
constexpr std::optional<permission> anyone = std::nullopt;

struct route {
  std::string_view method;
  std::string_view pattern;  // "{}" matches one path segment
  std::optional<permission> needed;
  handler run;
};

constexpr std::array routes{
    route{"GET", "/v1/health", anyone, health_get},
    route{"GET", "/v1/ready", anyone, ready_get},
    route{"GET", "/metrics", metrics_read, metrics_get},
    route{"POST", "/v1/backups", backups_create, backup_create},
    route{"GET", "/v1/openapi.json", anyone, openapi_get},
    route{"GET", "/v1/keyring", anyone, keyring_get},
    route{"POST", "/v1/activate", anyone, activate_post},
    route{"POST", "/v1/validate", anyone, validate_post},
    route{"GET", "/v1/roles", anyone, roles_list},
    route{"POST", "/v1/invitations/accept", anyone, invitation_accept},
    route{"POST", "/v1/sessions", anyone, session_sign_in},
    route{"GET", "/v1/sessions", own_account, session_list},
    route{"DELETE", "/v1/sessions/{}", own_account, session_revoke},
    route{"GET", "/v1/session", own_account, session_current},
    route{"DELETE", "/v1/session", own_account, session_sign_out},
    route{"GET", "/v1/me", own_account, me_get},
    route{"POST", "/v1/me/password", own_account, me_password_change},
    route{"POST", "/v1/me/totp", own_account, me_totp_start},
    route{"POST", "/v1/me/totp/confirm", own_account, me_totp_confirm},
    route{"DELETE", "/v1/me/totp", own_account, me_totp_disable},
    route{"GET", "/v1/organisation/security", users_read, organisation_security_get},
    route{"PATCH", "/v1/organisation/security", users_manage, organisation_security_update},
    route{"POST", "/v1/password-resets/accept", anyone, password_reset_accept},
    route{"POST", "/v1/users", users_manage, user_invite},
    route{"GET", "/v1/users", users_read, user_list},
    route{"GET", "/v1/users/{}", users_read, user_get},
    route{"PATCH", "/v1/users/{}", users_manage, user_update},
    route{"POST", "/v1/users/{}/password-reset", users_manage, password_reset_issue},
    route{"POST", "/v1/partners", partners_manage, partner_create},
    route{"GET", "/v1/partners", partners_read, partner_list},
    route{"GET", "/v1/partners/{}", partners_read, partner_get},
    route{"PATCH", "/v1/partners/{}", partners_manage, partner_update},
    route{"POST", "/v1/enabling-requests", users_manage, partner_enabling_request},
    route{"GET", "/v1/enabling-requests", partners_read, enabling_request_list},
    route{"POST", "/v1/enabling-requests/{}/approve", partners_manage, enabling_request_approve},
    route{"POST", "/v1/enabling-requests/{}/refuse", partners_manage, enabling_request_refuse},
    route{"POST", "/v1/partners/{}/api-keys", partners_manage, partner_api_key_create},
    route{"DELETE", "/v1/partners/{}/api-keys/{}", partners_manage, partner_api_key_revoke},
    route{"POST", "/v1/api-keys", users_manage, api_key_create},
    route{"GET", "/v1/api-keys", users_read, api_key_list},
    route{"DELETE", "/v1/api-keys/{}", users_manage, api_key_revoke},
    route{"POST", "/v1/products", products_manage, product_create},
    route{"GET", "/v1/products", products_read, product_list},
    route{"GET", "/v1/products/{}", products_read, product_get},
    route{"PATCH", "/v1/products/{}", products_manage, product_update},
    route{"GET", "/v1/audit", audit_read, audit_list},
    route{"GET", "/v1/events", events_read, event_list},
    route{"GET", "/v1/event-types", webhooks_read, event_type_list},
    route{"POST", "/v1/webhook-endpoints", webhooks_manage, webhook_endpoint_create},
    route{"GET", "/v1/webhook-endpoints", webhooks_read, webhook_endpoint_list},
    route{"GET", "/v1/webhook-endpoints/{}", webhooks_read, webhook_endpoint_get},
    route{"PATCH", "/v1/webhook-endpoints/{}", webhooks_manage, webhook_endpoint_update},
    route{"DELETE", "/v1/webhook-endpoints/{}", webhooks_manage, webhook_endpoint_delete},
    route{"POST", "/v1/webhook-endpoints/{}/rotate-secret", webhooks_manage, webhook_secret_rotate},
    route{"POST", "/v1/webhook-endpoints/{}/test", webhooks_manage, webhook_test},
    route{"POST", "/v1/webhook-endpoints/{}/resend", webhooks_manage, webhook_resend},
    route{"GET", "/v1/webhook-endpoints/{}/deliveries", webhooks_read, webhook_delivery_list},
    route{"GET", "/v1/mail/settings", mail_read, mail_settings_get},
    route{"PATCH", "/v1/mail/settings", mail_manage, mail_settings_update},
    route{"GET", "/v1/mail/templates", mail_read, mail_template_list},
    route{"GET", "/v1/mail/templates/{}/{}", mail_read, mail_template_get},
    route{"PUT", "/v1/mail/templates/{}/{}", mail_manage, mail_template_put},
    route{"DELETE", "/v1/mail/templates/{}/{}", mail_manage, mail_template_delete},
    route{"GET", "/v1/mail/deliveries", mail_read, mail_delivery_list},
    route{"GET", "/v1/keys", keys_read, keys_get},
    route{"POST", "/v1/keys/rotate", keys_manage, keys_rotate},
    route{"POST", "/v1/keys/{}/revoke", keys_manage, keys_revoke},
    route{"POST", "/v1/test/clock", test_clock, test_clock_set},
    route{"POST", "/v1/customers", customers_create, customer_create},
    route{"GET", "/v1/customers", customers_read, customer_list},
    route{"GET", "/v1/exports/customers", customers_read, customer_export},
    route{"GET", "/v1/exports/licenses", licenses_read, license_export},
    route{"GET", "/v1/exports/ledger", ledger_read, ledger_export},
    route{"GET", "/v1/customers/{}", customers_read, customer_get},
    route{"PATCH", "/v1/customers/{}", customers_manage, customer_update},
    route{"DELETE", "/v1/customers/{}", customers_admin, customer_delete},
    route{"POST", "/v1/customers/{}/reassign", customers_admin, customer_reassign},
    route{"POST", "/v1/licenses", licenses_issue, license_issue},
    route{"GET", "/v1/licenses", licenses_read, license_list},
    route{"GET", "/v1/licenses/{}", licenses_read, license_get},
    route{"PATCH", "/v1/licenses/{}", licenses_correct, license_update},
    route{"DELETE", "/v1/licenses/{}", licenses_change, license_delete},
    route{"GET", "/v1/licenses/{}/token", licenses_read, license_token_get},
    route{"POST", "/v1/licenses/{}/suspend", licenses_hold, license_suspend},
    route{"POST", "/v1/licenses/{}/reinstate", licenses_hold, license_reinstate},
    route{"POST", "/v1/licenses/{}/revoke", licenses_change, license_revoke},
    route{"POST", "/v1/licenses/{}/unlink", licenses_change, license_unlink},
    route{"POST", "/v1/licenses/{}/transfer", licenses_transfer, license_transfer},
    route{"POST", "/v1/licenses/{}/compliance-check", licenses_change, license_compliance_check},
    route{"GET", "/v1/compliance", partners_read, compliance_get},
    route{"POST", "/v1/imports", licenses_issue, import_post},
    route{"POST", "/v1/compliance/sweep", partners_manage, compliance_sweep_run},
    route{"POST", "/v1/campaigns", partners_manage, campaign_create},
    route{"GET", "/v1/campaigns", partners_read, campaign_list},
    route{"GET", "/v1/campaigns/{}", partners_read, campaign_get},
    route{"GET", "/v1/campaigns/{}/dry-run", partners_manage, campaign_dry_run},
    route{"POST", "/v1/campaigns/{}/run", partners_manage, campaign_run},
    route{"POST", "/v1/subscriptions", licenses_issue, subscription_create},
    route{"POST", "/v1/licenses/{}/seats", seats_change, license_seats_set},
    route{"POST", "/v1/licenses/{}/members", seats_change, member_add},
    route{"DELETE", "/v1/licenses/{}/members", seats_change, member_remove},
    route{"GET", "/v1/licenses/{}/members", licenses_read, member_list},
    route{"POST", "/v1/licenses/{}/upgrade", plans_change, license_upgrade},
    route{"POST", "/v1/licenses/{}/scheduled-change", plans_change, scheduled_change_set},
    route{"DELETE", "/v1/licenses/{}/scheduled-change", plans_change, scheduled_change_delete},
    route{"POST", "/v1/licenses/{}/auto-renew", plans_change, auto_renew_set},
    route{"POST", "/v1/licenses/{}/cancel", subscriptions_cancel, subscription_cancel},
    route{"POST", "/v1/licenses/{}/reactivate", plans_change, subscription_reactivate},
    route{"POST", "/v1/licenses/{}/convert", plans_change, trial_convert},
    route{"GET", "/v1/licenses/{}/ledger", ledger_read, license_ledger_list},
    route{"GET", "/v1/licenses/{}/delivery", licenses_read, license_delivery_get},
    route{"POST", "/v1/licenses/{}/delivery/send", letters_send, license_delivery_send},
    route{"GET", "/v1/ledger", ledger_read, ledger_list},
    route{"GET", "/v1/usage", ledger_read, usage_get},
    route{"GET", "/v1/activity", customers_read, activity_list},
};

// Matches `path` against `pattern`, collecting "{}" segments into `params`.
bool path_match(std::string_view pattern, std::string_view path, std::vector<std::string>& params) {
  params.clear();
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const auto pattern_end = std::min(pattern.find('/'), pattern.size());
    const auto path_end = std::min(path.find('/'), path.size());
    const auto expected = pattern.substr(0, pattern_end);
    const auto segment = path.substr(0, path_end);
    if (expected == "{}") {
      if (segment.empty()) return false;
      params.emplace_back(segment);
    } else if (expected != segment) {
      return false;
    }
    pattern.remove_prefix(pattern_end);
    path.remove_prefix(path_end);
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

std::map<std::string, std::string> query_parse(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    const auto end = std::min(query.find('&'), query.size());
    const auto pair = query.substr(0, end);
    const auto eq = pair.find('=');
    if (!pair.empty())
      out[percent_decode(pair.substr(0, eq))] = eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    query.remove_prefix(std::min(end + 1, query.size()));
  }
  return out;
}

}  // namespace

std::vector<route_rule> route_rules() {
  std::vector<route_rule> out;
  for (const auto& r : routes) out.push_back({r.method, r.pattern, r.needed});
  return out;
}

namespace {

bool changes_state(std::string_view method) { return method != "GET" && method != "HEAD"; }

// Routes whose body says who calls (a password, an invitation's or a reset's token): a session
// cookie the browser still holds from before (ended, expired, another person's) is not read, so
// it cannot stand in the way of signing in again.
bool body_proves_who(handler run) {
  return run == session_sign_in || run == invitation_accept || run == password_reset_accept;
}

// Handlers that read once, before they commit, and may read the snapshot the caller was
// authenticated in (api_call::authenticated_in): issuance's checks before signing. On PostgreSQL
// that spares a snapshot's BEGIN per license.
bool keeps_snapshot(handler run) { return run == static_cast<handler>(license_issue); }

// The snapshot `check` reads, handed to `keep` when it is given.
template <class Check>
auto checked_in_snapshot(const service& svc, std::unique_ptr<store::read_view>* keep, Check check) {
  auto view = svc.read();
  auto held = check(*view);
  if (keep) *keep = std::move(view);
  return held;
}

bool secret_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

caller router::session_check(const api_request& request, std::string_view secret,
                             std::unique_ptr<store::read_view>* keep) const {
  const auto secret_hash = hash_hex(secret);
  const auto now = service_.now();
  auto held = checked_in_snapshot(service_, keep, [&](const store::read_view& view) { return session_holder(view, secret_hash, now); });
  // A cookie goes with every request the browser makes to this host, including ones another
  // site triggers: a change needs the session's CSRF token, which only this origin's pages
  // can read, and an Origin that is this host.
  if (changes_state(request.method)) {
    if (request.csrf_token.empty() || !secret_equal(request.csrf_token, held.session.csrf_token))
      refuse(errc::csrf_failed, "X-CSRF-Token is missing or wrong");
    if (request.origin != "https://" + request.host) refuse(errc::csrf_failed, "the Origin is not this server");
  }
  if (held.last_seen_due) {
    service_.store().submit([secret_hash, now](store::write_view& write) { return session_touch(write, secret_hash, now); },
                            [](result<void>) {});
  }
  return std::move(held.who);
}

caller router::authenticate(const api_request& request, std::unique_ptr<store::read_view>* keep) const {
  if (request.authorization.empty()) {
    const auto secret = cookie_value(request.cookie, session_cookie_name);
    if (secret.empty()) return {};
    try {
      return session_check(request, secret, keep);
    } catch (const refusal& error) {
      if (error.code != errc::unauthorized) throw;
      if (auto wait = service_.limiters().auth_failures_by_client.take(request.client)) refuse_rate_limited(*wait);
      throw;
    }
  }
  // The credential is checked first: a valid one always passes, so a client sharing an address
  // (NAT, a proxy) with someone who keeps failing is not locked out. Credentials are 256-bit
  // random, so limiting failures is about their cost (an audit write each), not about guessing.
  try {
    return credential_check(request, keep);
  } catch (const refusal& error) {
    if (error.code != errc::unauthorized) throw;
    auto& failures = service_.limiters().auth_failures_by_client;
    if (auto wait = failures.take(request.client)) refuse_rate_limited(*wait);
    auto anonymous = caller_named(caller_kind::anonymous, "client:" + request.client);
    anonymous.request_id = request.request_id;
    service_.audit_record(std::move(anonymous), "auth.failed", "", {{"reason", error.message}});
    throw;
  }
}

caller router::credential_check(const api_request& request, std::unique_ptr<store::read_view>* keep) const {
  constexpr std::string_view bearer = "Bearer ";
  if (!request.authorization.starts_with(bearer)) refuse(errc::unauthorized, "expected a Bearer token");
  const auto secret_hash = hash_hex(std::string_view(request.authorization).substr(bearer.size()));
  const auto now = service_.now();
  auto held = checked_in_snapshot(service_, keep, [&](const store::read_view& view) { return credential_holder(view, secret_hash, now); });
  if (held.last_use_due) {
    // Not waited for: the request does not depend on it, and a failure only loses a timestamp.
    service_.store().submit([secret_hash, now](store::write_view& write) { return api_key_touch(write, secret_hash, now); },
                            [](result<void>) {});
  }
  return std::move(held.who);
}

namespace {

constexpr std::string_view unmatched = "unmatched";
constexpr const char* requests_family = "licensor_http_requests_total";
constexpr const char* requests_help = "Requests answered, by route, method and status";
constexpr const char* latency_family = "licensor_http_request_duration_seconds";
constexpr const char* latency_help = "Time from routing a request to its answer";

}  // namespace

// A route's latency histogram, and its counters by status found once each: after the first
// answer of a status, counting one is an atomic load and an add, with no lock.
struct router::route_instruments {
  metrics::histogram* latency = nullptr;
  std::array<std::atomic<metrics::counter*>, 500> by_status{};  ///< index status - 100
  std::string_view method;
  std::string_view pattern;
};

router::router(service& svc) : service_(svc) {
  for (const auto& r : routes) {
    auto instruments = std::make_unique<route_instruments>();
    instruments->method = r.method;
    instruments->pattern = r.pattern;
    instruments->latency = &service_.metrics().histogram_at(
        latency_family, latency_help, metrics::histogram::latency_seconds(),
        {{"route", std::string(r.pattern)}, {"method", std::string(r.method)}});
    instruments_.push_back(std::move(instruments));
  }
}

router::~router() = default;

// Requests by route (its pattern, so that ids do not make a label each), method and status,
// and their latency from routing to the answer.
responder router::counted(std::optional<std::size_t> index, std::string_view method, responder respond) {
  const auto started = std::chrono::steady_clock::now();
  auto& registry = service_.metrics();
  route_instruments* route = index ? instruments_[*index].get() : nullptr;
  return [&registry, route, method = std::string(method), started, respond = std::move(respond)](api_response response) {
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    const auto status = response.status;
    if (route == nullptr) {
      const metrics::labels labels{{"route", std::string(unmatched)}, {"method", method}};
      registry.histogram_at(latency_family, latency_help, metrics::histogram::latency_seconds(), labels).observe(took.count());
      registry.counter_at(requests_family, requests_help, {{"route", std::string(unmatched)}, {"method", method},
                                                           {"status", std::to_string(status)}}).add();
    } else {
      route->latency->observe(took.count());
      auto& slot = route->by_status[std::clamp(status, 100u, 599u) - 100];
      auto* counter = slot.load(std::memory_order_acquire);
      if (counter == nullptr) {
        counter = &registry.counter_at(requests_family, requests_help,
                                       {{"route", std::string(route->pattern)}, {"method", std::string(route->method)},
                                        {"status", std::to_string(status)}});
        slot.store(counter, std::memory_order_release);  // two threads may race here: both find the same counter
      }
      counter->add();
    }
    respond(std::move(response));
  };
}

void router::handle(const api_request& request, responder respond) {
  // Only known methods get a label of their own: a client must not mint label values.
  constexpr std::array known_methods{"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"};
  const bool method_known = std::find(known_methods.begin(), known_methods.end(), request.method) != known_methods.end();
  const std::string_view method = method_known ? std::string_view(request.method) : std::string_view("other");
  try {
    const auto question = request.target.find('?');
    const std::string_view path = std::string_view(request.target).substr(0, question);
    // The portal's pages and assets: public files, before any route or credential.
    if (const auto& portal = service_.config().portal; portal && request.method == "GET") {
      if (auto page = portal->answer(path, gzip_accepted(request.accept_encoding))) return respond(std::move(*page));
    }
    std::vector<std::string> params;
    const route* matched = nullptr;
    bool path_known = false;
    for (const auto& candidate : routes) {
      if (!path_match(candidate.pattern, path, params)) continue;
      path_known = true;
      if (candidate.method == request.method) {
        matched = &candidate;
        break;
      }
    }
    if (matched == nullptr) {
      respond = counted(std::nullopt, method, std::move(respond));
      refuse(path_known ? errc::method_not_allowed : errc::not_found);
    }
    respond = counted(static_cast<std::size_t>(matched - routes.data()), method, std::move(respond));
    if (matched->run == test_clock_set && !service_.config().test_clock) refuse(errc::not_found);

    idempotency_key_check(request);
    std::unique_ptr<store::read_view> snapshot;
    auto who = body_proves_who(matched->run) ? caller{} : authenticate(request, keeps_snapshot(matched->run) ? &snapshot : nullptr);
    api_call call{request, std::move(who), std::move(params), {}, nlohmann::json::object(), std::move(snapshot)};
    call.who.request_id = request.request_id;
    if (matched->needed) {
      if (call.who.kind == caller_kind::anonymous) refuse(errc::unauthorized);
      permitted_or_refuse(call.who, *matched->needed);
    }
    if (question != std::string::npos) call.query = query_parse(std::string_view(request.target).substr(question + 1));
    if (!request.body.empty()) {
      call.body = json_read(request.body);
      if (!call.body.is_object()) refuse(errc::bad_request, "body must be a JSON object");
    }
    matched->run(service_, call, respond);
  } catch (const refusal& error) {
    respond(error_response(error));
  } catch (const std::exception&) {
    respond(error_response(errc::internal));
  }
}

}  // namespace licensor::server
