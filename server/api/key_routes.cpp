// Live key operations for operators, and the audit log. Rotation and revocation go through
// the keys module (the same code as licensorctl), then the server reloads its signer.
#include "api/body_reader.hpp"
#include "api/license_signing.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "licensor/paserk.hpp"
#include "store/schema.hpp"

namespace licensor::server {
namespace {

void reload_or_fail(service& svc) {
  if (auto reloaded = svc.signer_reload(); !reloaded) api_fail(reloaded.error());
}

}  // namespace

void keys_rotate(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  auto kid = keys::key_dir_rotate(svc.config().key_dir, svc.config().key_options, svc.now());
  if (!kid) api_fail(kid.error());
  reload_or_fail(svc);
  const auto signer = svc.signer();
  svc.commit(call, [&svc, who = call.who, signer](store::txn& write) {
    svc.audit_append(write, who, "keys.rotate", signer->active_kid.value, {{"version", signer->keyring.version}});
    return answer({{"active_kid", signer->active_kid.value}, {"version", signer->keyring.version},
                     {"keyring", signer->keyring_token}});
  }, std::move(respond));
}

void keys_revoke(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  const KeyId kid{call.params[0]};
  if (!paserk_pid_well_formed(kid.value)) api_fail(errc::not_found);
  if (auto revoked = keys::key_dir_revoke(svc.config().key_dir, svc.config().key_options, kid, svc.now()); !revoked)
    api_fail(revoked.error());
  reload_or_fail(svc);
  const auto signer = svc.signer();
  // Every license signed by the revoked key gets a fresh token from the active key, so its
  // customer receives it at the next check-in.
  svc.commit(call, [&svc, who = call.who, signer, kid](store::txn& write) {
    std::vector<license_record> affected;
    store_check(write.scan(store::db::licenses, "", "", SIZE_MAX, [&](std::string_view, std::string_view value) {
      auto license = nlohmann::json::parse(value).get<license_record>();
      if (license.kid == kid.value) affected.push_back(std::move(license));
      return true;
    }));
    for (auto& license : affected) {
      license.updated_at = svc.now();
      license_sign(license, *signer, svc.config().issuer);
      license_save(write, license);
    }
    svc.audit_append(write, who, "keys.revoke", kid.value,
                     {{"version", signer->keyring.version}, {"licenses_resigned", affected.size()}});
    return answer({{"revoked_kid", kid.value}, {"version", signer->keyring.version},
                     {"licenses_resigned", affected.size()}, {"keyring", signer->keyring_token}});
  }, std::move(respond));
}

void audit_list(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  respond(page_scan(snapshot, store::db::audit, "", page_of(call), [](std::string_view, std::string_view value) {
    return nlohmann::json::parse(value);
  }));
}

}  // namespace licensor::server
