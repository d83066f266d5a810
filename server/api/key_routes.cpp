// Live key operations for operators, and the audit log. Rotation and revocation go through
// the keys module (the same code as licensorctl), then the server reloads its signer.
//
// The key dir is not in the store's transaction, so a retried request must be stopped before
// it touches the dir: its first answer is looked up first, and a rotation names the version it
// rotates from (by default the one on disk now), so two attempts cannot both rotate.
#include "api/body_reader.hpp"
#include "api/keyring_audit.hpp"
#include "api/license_signing.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "licensor/paserk.hpp"
#include "store/schema.hpp"

namespace licensor::server {
namespace {

[[noreturn]] void key_change_fail(errc code) {
  if (code == errc::root_key_offline)
    api_fail(code, "the root secret key is kept offline: run licensorctl keys rotate|revoke where it is and copy "
                   "keyring.token and signing/ to this server, which picks the keyring up within a second");
  api_fail(code);
}

void reload_or_fail(service& svc) {
  if (auto reloaded = svc.signer_reload(); !reloaded) api_fail(reloaded.error());
}

}  // namespace

void keys_rotate(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"from_version"});
  if (auto first = svc.replay_of(call)) return respond(std::move(*first));
  respond = [hold = svc.keyring_change_hold(), answered = std::move(respond)](api_response response) {
    answered(std::move(response));
  };
  auto from_version = body.optional_integer("from_version", 1, INT64_MAX);
  if (!from_version) {
    auto current = keys::key_dir_keyring_version(svc.config().key_dir);
    if (!current) api_fail(current.error());
    from_version = static_cast<std::int64_t>(*current);
  }
  auto kid = keys::key_dir_rotate(svc.config().key_dir, svc.config().key_options, svc.now(),
                                  static_cast<std::uint64_t>(*from_version));
  if (!kid && kid.error() == errc::conflict)
    api_fail(errc::conflict, "the keyring is no longer at version " + std::to_string(*from_version) +
                                 ": it was rotated meanwhile (GET /v1/keyring shows the current version)");
  if (!kid) key_change_fail(kid.error());
  reload_or_fail(svc);
  const auto signer = svc.signer();
  svc.commit(call, [&svc, who = call.who, signer](store::txn& write) {
    (void)keyring_change_audit(svc, write, who, "keys.rotate", signer->active_kid.value, *signer);
    return answer({{"active_kid", signer->active_kid.value}, {"version", signer->keyring.version},
                   {"keyring", signer->keyring_token}});
  }, std::move(respond));
}

void keys_revoke(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  const KeyId kid{call.params[0]};
  if (!paserk_pid_well_formed(kid.value)) api_fail(errc::not_found);
  if (auto first = svc.replay_of(call)) return respond(std::move(*first));
  respond = [hold = svc.keyring_change_hold(), answered = std::move(respond)](api_response response) {
    answered(std::move(response));
  };
  // Revoking a revoked kid changes nothing on disk, so a retry only re-signs what is left.
  if (auto revoked = keys::key_dir_revoke(svc.config().key_dir, svc.config().key_options, kid, svc.now()); !revoked)
    key_change_fail(revoked.error());
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
    (void)keyring_change_audit(svc, write, who, "keys.revoke", kid.value, *signer,
                               {{"licenses_resigned", affected.size()}});
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
