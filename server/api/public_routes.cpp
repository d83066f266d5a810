// Unauthenticated endpoints: health, the OpenAPI document, the keyring, activation and
// online validation.
#include <nlohmann/json.hpp>

#include "api/body_reader.hpp"
#include "api/openapi_document.hpp"
#include "api/routes.hpp"
#include "core/mail_channel.hpp"
#include "core/views.hpp"
#include "core/activation.hpp"
#include "domain/activation_key.hpp"
#include "domain/json_record_write.hpp"
#include "licensor/email.hpp"
#include "licensor/keyring_document.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {
namespace {

// {"code", "license": the public view or null, "valid"}, written straight to text: validation is
// the hottest answer. Built as nlohmann::json (then written and freed) it cost licensord 44 to
// 49 us of CPU per validation against 35 to 39 us this way (three alternating runs each).
api_response validate_answer(const validation& checked) {
  api_response response;
  auto& body = response.raw_body;
  body.reserve(320);
  body += R"({"code":)";
  json_write_string(body, checked.code);
  body += R"(,"license":)";
  if (checked.license) {
    json_write_record(body, license_public_of(*checked.license));
  } else {
    body += "null";
  }
  body += checked.code == "valid" ? R"(,"valid":true})" : R"(,"valid":false})";
  return response;
}

}  // namespace

void health_get(service& svc, api_call&, responder respond) {
  // Jobs are reported, not judged: a failing job does not make the server unhealthy to a load
  // balancer, but operators see it (consecutive_failures > 0).
  // Mail that waits for configuration is said, not judged, in the same way. So is whether this
  // replica can write (GET /v1/ready judges that).
  respond(answer({{"status", "ok"},
                  {"time", rfc3339_format(svc.now())},
                  {"replica", svc.replica().view(lease_clock_now())},
                  {"jobs", svc.jobs().view()},
                  {"mail", mail_status_view(mail_status_of(*svc.read(), svc.config().smtp_configured))}}));
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
  const body_reader body(call.body, {"token", "activation_key", "fingerprint", "app_version"});
  const auto token = body.optional_string("token");
  const auto activation_key = body.optional_string("activation_key");
  const auto fingerprint = body.optional_string("fingerprint");
  const auto app_version = body.optional_app_version("app_version");
  if (token.has_value() == activation_key.has_value())
    refuse(errc::bad_request, "give exactly one of 'token' and 'activation_key'");
  const auto leeway = svc.config().leeway_seconds;
  if (token) {
    auto checked = token_validate(*svc.read(), *svc.signer(), *token, fingerprint, svc.now(), leeway);
    // A valid license's app version is kept (core/activation.hpp: at most once a day, so
    // validation stays a read nearly always).
    if (app_version && checked.code == "valid" && app_version_note_due(*checked.license, *app_version, svc.now())) {
      return svc.commit(call, [checked, id = checked.license->id, version = *app_version, now = svc.now()](
                                  store::write_view& write, const signing&) {
        app_version_note(write, id, version, now);
        return validate_answer(checked);
      }, std::move(respond));
    }
    return respond(validate_answer(checked));
  }

  // An activation key is a guessable identifier: looking one up spends the same budgets as an
  // activation, or validate would be an existence oracle beside activate's limits.
  if (auto wait = svc.limiters().activate_by_client.take(call.request.client)) refuse_rate_limited(*wait);
  const auto canonical = activation_key_canonical(*activation_key);
  if (!canonical) return respond(validate_answer({"not_found", std::nullopt}));
  if (auto wait = svc.limiters().activate_by_key.take(*canonical)) refuse_rate_limited(*wait);
  respond(validate_answer(activation_key_validate(*svc.read(), *canonical, fingerprint, svc.now(), leeway)));
}

void activate_post(service& svc, api_call& call, responder respond) {
  if (auto wait = svc.limiters().activate_by_client.take(call.request.client)) refuse_rate_limited(*wait);
  const body_reader body(call.body, {"activation_key", "email", "fingerprint", "app_version"});
  const auto typed_key = body.string("activation_key");
  const auto fingerprint = body.optional_string("fingerprint");
  const auto app_version = body.optional_app_version("app_version");
  auto email = email_normalise(body.string("email"));
  const auto canonical = activation_key_canonical(typed_key);
  // One answer for "no such key" and "wrong email": activation must not confirm either alone.
  if (!email || !canonical) refuse(errc::activation_failed);
  if (auto wait = svc.limiters().activate_by_key.take(*canonical)) refuse_rate_limited(*wait);
  svc.commit(call, [who = call.who, canonical = *canonical, email = *email, fingerprint, app_version,
                    now = svc.now()](store::write_view& write, const signing& with) {
    const auto activated = license_activate(write, who, canonical, email, fingerprint, app_version, with, now);
    auto body = nlohmann::json{{"license_id", activated.license_id},
                               {"token", activated.token},
                               {"keyring", with.signer->keyring_token}};
    if (activated.member) body["member"] = true;
    body["expires_at"] = time_or_null(activated.expires_at);
    return answer(std::move(body));
  }, std::move(respond));
}

void test_clock_set(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"now"});
  const auto now = body.optional_time("now");
  if (!now) refuse(errc::bad_request, "field 'now' is required");
  svc.clock_set(*now);
  // Due renewals and expiries are applied before the answer, so tests are deterministic.
  svc.jobs_run_now([&svc, respond = std::move(respond)](std::size_t changed) {
    respond(answer({{"now", rfc3339_format(svc.now())}, {"subscriptions_changed", changed}}));
  });
}

}  // namespace licensor::server
