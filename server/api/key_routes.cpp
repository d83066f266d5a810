// Live key operations for operators, and the audit log. Rotation and revocation go through
// the keys module (the same code as licensorctl), then the server reloads its signer.
//
// The key dir is not in the store's transaction, so a retried request must be stopped before
// it touches the dir: its first answer is looked up first, and a rotation names the version it
// rotates from (by default the one on disk now), so two attempts cannot both rotate.
#include "api/body_reader.hpp"
#include "api/list_filters.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "core/keyring_audit.hpp"
#include "core/keys.hpp"
#include "core/views.hpp"
#include "licensor/paserk.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {
namespace {

[[noreturn]] void key_change_fail(errc code) {
  if (code == errc::root_key_offline)
    refuse(code, "the root secret key is kept offline: run licensorctl keys rotate|revoke where it is and copy "
                   "keyring.token and signing/ to this server, which picks the keyring up within a second");
  refuse(code);
}

void reload_or_fail(service& svc) {
  if (auto reloaded = svc.keyring().reload(); !reloaded) refuse(reloaded.error());
}

}  // namespace

void keys_get(service& svc, api_call&, responder respond) {
  const auto signer = svc.signer();
  auto keys = nlohmann::json::array();
  const auto snapshot = svc.read();
  // How many licenses each key signed: what revoking it would re-sign, and, for a revoked key,
  // what the re-signing has still to reach.
  for (const auto& entry : signer->keyring.keys)
    keys.push_back({{"kid", entry.kid.value}, {"status", entry.status == key_status::active ? "active" : "retired"},
                    {"licenses_signed", must(snapshot->licenses_signed_count(entry.kid.value))}});
  auto revoked = nlohmann::json::array();
  for (const auto& kid : signer->keyring.revoked) revoked.push_back(kid.value);
  auto resigning = nlohmann::json::array();
  for (const auto& task : must(snapshot->resign_tasks()))
    resigning.push_back({{"kid", task.kid}, {"licenses_resigned", task.licenses_resigned},
                         {"licenses_remaining", must(snapshot->licenses_signed_count(task.kid))},
                         {"started_at", rfc3339_format(task.started_at)}});
  respond(answer({{"version", signer->keyring.version}, {"active_kid", signer->active_kid.value}, {"keys", std::move(keys)},
                  {"revoked", std::move(revoked)}, {"resigning", std::move(resigning)}}));
}

void keys_rotate(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"from_version"});
  if (auto first = svc.replay_of(call)) return respond(std::move(*first));
  respond = [hold = svc.keyring().change_hold(), answered = std::move(respond)](api_response response) {
    answered(std::move(response));
  };
  auto from_version = body.optional_integer("from_version", 1, INT64_MAX);
  if (!from_version) {
    auto current = keys::key_dir_keyring_version(svc.config().key_dir);
    if (!current) refuse(current.error());
    from_version = static_cast<std::int64_t>(*current);
  }
  auto kid = keys::key_dir_rotate(svc.config().key_dir, svc.config().key_options, svc.now(),
                                  static_cast<std::uint64_t>(*from_version));
  if (!kid && kid.error() == errc::conflict)
    refuse(errc::conflict, "the keyring is no longer at version " + std::to_string(*from_version) +
                                 ": it was rotated meanwhile (GET /v1/keyring shows the current version)");
  if (!kid) key_change_fail(kid.error());
  reload_or_fail(svc);
  const auto signer = svc.signer();
  svc.commit(call, [who = call.who, signer, now = svc.now()](store::write_view& write, const signing&) {
    (void)keyring_change_audit(write, who, "keys.rotate", signer->active_kid.value, *signer, now);
    return answer({{"active_kid", signer->active_kid.value}, {"version", signer->keyring.version},
                   {"keyring", signer->keyring_token}});
  }, std::move(respond));
}

void keys_revoke(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  const KeyId kid{call.params[0]};
  if (!paserk_pid_well_formed(kid.value)) refuse(errc::not_found);
  if (auto first = svc.replay_of(call)) return respond(std::move(*first));
  respond = [hold = svc.keyring().change_hold(), answered = std::move(respond)](api_response response) {
    answered(std::move(response));
  };
  // Revoking a revoked kid changes nothing on disk, so a retry only re-signs what is left.
  if (auto revoked = keys::key_dir_revoke(svc.config().key_dir, svc.config().key_options, kid, svc.now()); !revoked)
    key_change_fail(revoked.error());
  reload_or_fail(svc);
  // Every license signed by the revoked key gets a fresh token from the active key (so its
  // customer receives it at the next check-in), in batches by the re-signing job; the first
  // batch is signed before this answer. Until the job reaches a license, fetching its token
  // re-signs it on demand, so no token of the revoked key is handed out again.
  const auto signer = svc.signer();
  svc.commit(call, [who = call.who, signer, kid = kid.value, now = svc.now()](store::write_view& write, const signing& with) {
    key_revocation_record(write, who, kid, *signer, now);
    const auto first = resign_batch_apply(write, kid, with, now);
    return answer({{"revoked_kid", kid}, {"version", signer->keyring.version}, {"licenses_resigned", first.resigned},
                   {"resign_complete", first.complete}, {"keyring", signer->keyring_token}});
  }, [&svc, respond = std::move(respond)](api_response response) {
    if (response.status < 300) svc.jobs_run_now([](std::size_t) {});  // the rest, in the background
    respond(std::move(response));
  });
}

void audit_list(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  const auto direction = audit_order_of(call);
  const auto read = [&](const store::page_request& page) { return must(snapshot->audit_list(page, direction)); };
  const auto keep = audit_filter_of(call);
  auto listed = keep ? page_filtered<store::audit_entry>(page_of(call), read, keep) : read(page_of(call));
  respond(page_answer(std::move(listed), [](const store::audit_entry& entry) {
    nlohmann::json view{{"seq", entry.seq},       {"at", rfc3339_format(entry.at)}, {"actor", entry.actor},
                        {"action", entry.action}, {"target", entry.target},         {"details", entry.details}};
    // The request that made the change (X-Request-Id, also in its log line); none for jobs.
    view["request_id"] = text_or_null(entry.request_id);
    return view;
  }));
}

}  // namespace licensor::server
