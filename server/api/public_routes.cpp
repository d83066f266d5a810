// Unauthenticated endpoints: health, the OpenAPI document, the keyring, activation and
// online validation.
#include <nlohmann/json.hpp>

#include "api/body_reader.hpp"
#include "api/license_signing.hpp"
#include "api/openapi_document.hpp"
#include "api/subscription_ops.hpp"
#include "api/subscription_scheduler.hpp"
#include "api/routes.hpp"
#include "api/views.hpp"
#include "domain/activation_key.hpp"
#include "licensor/email.hpp"
#include "licensor/keyring_document.hpp"
#include "licensor/paseto.hpp"
#include "licensor/rfc3339.hpp"
#include "licensor/signed_document.hpp"
#include "store/schema.hpp"

namespace licensor::server {
namespace {

api_response validate_answer(std::string_view code, const license_record* license) {
  api_response response;
  response.body = {{"valid", code == "valid"}, {"code", code}};
  response.body["license"] = license ? license_public_view(*license) : nlohmann::json();
  return response;
}

std::optional<license_record> license_find(const store::txn& snapshot, std::string_view id) {
  auto value = snapshot.get(store::db::licenses, id);
  if (!value) api_fail(value.error());
  if (!*value) return std::nullopt;
  return nlohmann::json::parse(**value).get<license_record>();
}

// The license behind a token. Tokens this server issued are found by hash, with no Ed25519
// verify on the hot path; any other token is verified against the keyring first.
api_response validate_token(service& svc, const store::txn& snapshot, const std::string& token,
                            const std::optional<std::string>& fingerprint) {
  const auto signer = svc.signer();
  token_index_fields bound;
  auto indexed = snapshot.get(store::db::token_hashes, hash_hex(token));
  if (!indexed) api_fail(indexed.error());
  if (*indexed) {
    bound = token_index_parse(**indexed);
  } else {
    auto parsed = paseto_parse(token);
    if (!parsed) return validate_answer("malformed", nullptr);
    auto footer_kid = untrusted_footer_kid(parsed->untrusted_footer);
    if (!footer_kid) return validate_answer("malformed", nullptr);
    const auto* entry = signer->keyring.find(*footer_kid);
    if (entry == nullptr) return validate_answer("unknown_key", nullptr);
    if (signer->keyring.is_revoked(*footer_kid)) return validate_answer("revoked_key", nullptr);
    auto verified = paseto_check(std::move(*parsed), entry->public_key, license_assertion);
    if (!verified) return validate_answer("bad_signature", nullptr);
    auto claims = claims_parse(verified->payload);
    if (!claims) return validate_answer("malformed", nullptr);
    bound = {claims->sub, footer_kid->value, claims->email};
  }
  if (signer->keyring.is_revoked(KeyId{bound.kid})) return validate_answer("revoked_key", nullptr);
  const auto license = license_find(snapshot, bound.license_id);
  if (!license) return validate_answer("not_found", nullptr);
  // A token answers for its license only while bound to the license's email or a current
  // member's: after a transfer the former owner's token is refused.
  if (bound.email != license->email && !member_exists(snapshot, license->id, bound.email))
    return validate_answer("email_mismatch", &*license);
  if (fingerprint && !license->fingerprint.empty() && *fingerprint != license->fingerprint)
    return validate_answer("fingerprint_mismatch", &*license);
  return validate_answer(license_state_code(*license, svc.now(), svc.config().leeway_seconds), &*license);
}

}  // namespace

void health_get(service& svc, api_call&, responder respond) {
  // Jobs are reported, not judged: a failing job does not make the server unhealthy to a load
  // balancer, but operators see it (consecutive_failures > 0).
  respond(answer({{"status", "ok"}, {"time", rfc3339_format(svc.now())}, {"jobs", svc.jobs().view()}}));
}

void openapi_get(service&, api_call&, responder respond) {
  api_response response;
  response.raw_body = std::string(openapi_document());
  respond(std::move(response));
}

void keyring_get(service& svc, api_call&, responder respond) {
  const auto signer = svc.signer();
  respond(answer({{"token", signer->keyring_token},
                   {"version", signer->keyring.version},
                   {"keyring", nlohmann::json::parse(keyring_to_json(signer->keyring))}}));
}

void validate_post(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"token", "activation_key", "fingerprint"});
  const auto token = body.optional_string("token");
  const auto activation_key = body.optional_string("activation_key");
  const auto fingerprint = body.optional_string("fingerprint");
  if (token.has_value() == activation_key.has_value())
    api_fail(errc::bad_request, "give exactly one of 'token' and 'activation_key'");
  const auto snapshot = svc.read();
  if (token) return respond(validate_token(svc, snapshot, *token, fingerprint));

  // An activation key is a guessable identifier: looking one up spends the same budgets as an
  // activation, or validate would be an existence oracle beside activate's limits.
  if (auto wait = svc.limiters().activate_by_client.take(call.request.client)) api_fail_rate_limited(*wait);
  const auto canonical = activation_key_canonical(*activation_key);
  if (!canonical) return respond(validate_answer("not_found", nullptr));
  if (auto wait = svc.limiters().activate_by_key.take(*canonical)) api_fail_rate_limited(*wait);
  auto license_id = snapshot.get(store::db::activation_keys, *canonical);
  if (!license_id) api_fail(license_id.error());
  const auto license = *license_id ? license_find(snapshot, **license_id) : std::nullopt;
  if (!license) return respond(validate_answer("not_found", nullptr));
  if (fingerprint && !license->fingerprint.empty() && *fingerprint != license->fingerprint)
    return respond(validate_answer("fingerprint_mismatch", &*license));
  respond(validate_answer(license_state_code(*license, svc.now(), svc.config().leeway_seconds), &*license));
}

void activate_post(service& svc, api_call& call, responder respond) {
  if (auto wait = svc.limiters().activate_by_client.take(call.request.client)) api_fail_rate_limited(*wait);
  const body_reader body(call.body, {"activation_key", "email", "fingerprint"});
  const auto typed_key = body.string("activation_key");
  const auto fingerprint = body.optional_string("fingerprint");
  auto email = email_normalise(body.string("email"));
  const auto canonical = activation_key_canonical(typed_key);
  // One answer for "no such key" and "wrong email": activation must not confirm either alone.
  if (!email || !canonical) api_fail(errc::activation_failed);
  if (auto wait = svc.limiters().activate_by_key.take(*canonical)) api_fail_rate_limited(*wait);
  auto signer = svc.signer();
  const auto now = svc.now();
  svc.commit(call, [&svc, signer, canonical = *canonical, email = *email, fingerprint, now](store::txn& write) {
    auto license_id = write.get(store::db::activation_keys, canonical);
    if (!license_id) api_fail(license_id.error());
    if (!*license_id) api_fail(errc::activation_failed);
    auto license = record_get<license_record>(write, store::db::licenses, **license_id, errc::activation_failed);
    if (license.email != email)  // a member of a subscription gets a token bound to its own email
      return member_activate(svc, write, license, email, signing_context{signer, svc.config().issuer}, now);
    if (auto allowed = license_token_handout_allowed(license); !allowed) api_fail(allowed.error());
    if (fingerprint && !license.fingerprint.empty() && *fingerprint != license.fingerprint)
      api_fail(errc::fingerprint_mismatch, "this license is bound to another machine");
    // A first activation with a fingerprint binds the machine into a freshly signed token;
    // so does one after a key rotation, so the customer moves to the active key, and one that
    // finds a free license's token running out (free tokens are renewed online).
    if ((fingerprint && license.fingerprint.empty()) || license.kid != signer->active_kid.value ||
        free_token_renewal_due(license, now)) {
      if (fingerprint) license.fingerprint = *fingerprint;
      license.updated_at = now;
      license_sign(license, *signer, svc.config().issuer);
      license_save(write, license);
      svc.audit_append(write, caller{caller_kind::anonymous, "", "customer:" + email}, "license.activate",
                       license.id, {{"fingerprint_bound", fingerprint.has_value()}});
    }
    return answer({{"license_id", license.id},
                     {"token", license.token},
                     {"keyring", signer->keyring_token},
                     {"expires_at", license.expires_at == 0 ? nlohmann::json() : nlohmann::json(rfc3339_format(license.expires_at))}});
  }, std::move(respond));
}

void test_clock_set(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"now"});
  const auto now = body.optional_time("now");
  if (!now) api_fail(errc::bad_request, "field 'now' is required");
  svc.clock_set(*now);
  // Due renewals and expiries are applied before the answer, so tests are deterministic.
  subscription_run_due(svc, [&svc, respond = std::move(respond)](std::size_t changed) {
    respond(answer({{"now", rfc3339_format(svc.now())}, {"subscriptions_changed", changed}}));
  });
}

}  // namespace licensor::server
