// A person's TOTP (core/two_factor.hpp) and their organisation's sign-in policy
// (core/organisation_security.hpp). The secret and the recovery codes are made here, off the
// store's writer, and shown once; the store keeps the secret and the codes' hashes.
#include "api/body_reader.hpp"
#include "api/passwords.hpp"
#include "api/routes.hpp"
#include "core/organisation_security.hpp"
#include "core/sessions.hpp"
#include "core/two_factor.hpp"
#include "core/views.hpp"
#include "domain/secret_hash.hpp"
#include "domain/totp.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {
namespace {

nlohmann::json security_view(const organisation_security_record& security) {
  return {{"require_totp", security.require_totp},
          {"updated_at", time_or_null(security.updated_at)}};
}

}  // namespace

void me_totp_start(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"password", "code"});
  const auto user = user_self(*svc.read(), call.who);
  // Replacing a second factor that is on needs the same proof as turning it off, so a stolen
  // session cannot swap in the thief's authenticator.
  std::optional<std::int64_t> proof_step;
  if (!user.totp_secret.empty())
    proof_step = owner_proof_or_refuse(svc, user, body.optional_string("password"), body.optional_string("code"));
  const auto secret = totp_secret_generate();
  svc.commit(call, [who = call.who, email = user.email, secret, proof_step, now = svc.now()](store::write_view& write,
                                                                                            const signing&) {
    totp_enrol_start(write, who, secret, proof_step, now);
    return answer_with_secret({{"secret", secret}, {"uri", totp_uri(totp_issuer, email, secret)}, {"confirmed", false}}, 201);
  }, std::move(respond));
}

void me_totp_confirm(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"code"});
  const auto code = body.string("code");
  const auto codes = recovery_codes_generate(recovery_code_count);
  std::vector<std::string> hashes;
  for (const auto& one : codes) hashes.push_back(hash_hex(recovery_code_normalise(one)));
  svc.commit(call, [who = call.who, code, codes, hashes, now = svc.now()](store::write_view& write, const signing&) {
    totp_enrol_confirm(write, who, code, hashes, now);
    return answer_with_secret({{"totp_enabled", true}, {"recovery_codes", codes}}, 200);
  }, std::move(respond));
}

void me_totp_disable(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"password", "code"});
  const auto user = user_self(*svc.read(), call.who);
  (void)owner_proof_or_refuse(svc, user, body.optional_string("password"), body.optional_string("code"));
  svc.commit(call, [who = call.who, now = svc.now()](store::write_view& write, const signing&) {
    totp_disable(write, who, now);
    return answer({{"totp_enabled", false}});
  }, std::move(respond));
}

void organisation_security_get(service& svc, api_call& call, responder respond) {
  respond(answer(security_view(organisation_security_of(*svc.read(), call.who))));
}

void organisation_security_update(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"require_totp"});
  const auto require_totp = body.optional_bool("require_totp");
  if (!require_totp) refuse(errc::bad_request, "'require_totp' (a boolean) is needed");
  svc.commit(call, [who = call.who, required = *require_totp, now = svc.now()](store::write_view& write, const signing&) {
    return answer(security_view(organisation_security_set(write, who, required, now)));
  }, std::move(respond));
}

}  // namespace licensor::server
