// What operations teams call: metrics for Prometheus, readiness for a load balancer, backups.
#include "api/routes.hpp"
#include "core/backups.hpp"

namespace licensor::server {

void metrics_get(service& svc, api_call&, responder respond) {
  api_response response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.raw_body = svc.metrics().render();
  respond(std::move(response));
}

// Ready means this process can serve writes now: a signing key is loaded and a write job
// commits. The write is an empty job, so a probe costs the writer almost nothing; a writer that
// is stuck leaves the probe unanswered, which a probe's own timeout counts as not ready.
void ready_get(service& svc, api_call&, responder respond) {
  const bool signing = !svc.signer()->active_kid.value.empty();
  svc.store().submit([](store::write_view&) { return result<void>{}; },
                     [signing, respond = std::move(respond)](result<void> committed) {
                       const bool ready = signing && committed.ok();
                       respond(answer({{"ready", ready},
                                       {"checks",
                                        {{"signing_key", signing ? "ok" : "no active signing key"},
                                         {"store_writes", committed ? std::string("ok")
                                                                    : std::string(errc_code(committed.error()))}}}},
                                      ready ? 200 : 503));
                     });
}

// The snapshot is written on the backup thread (one at a time), not on a request thread; the
// folder is the server's own (--backup-dir), never one the caller names.
void backup_create(service& svc, api_call& call, responder respond) {
  if (svc.config().backup_dir.empty()) refuse(errc::conflict, "this server has no backup folder (--backup-dir)");
  const auto dir = backup_folder(svc.config().backup_dir, svc.now());
  svc.long_read_post([&svc, dir, who = call.who, respond = std::move(respond)] {
    auto manifest = svc.store().backup(dir);
    if (!manifest) return respond(error_response(manifest.error(), "the backup could not be written"));
    nlohmann::json view = *manifest;
    svc.audit_record(who, "store.backup", dir.filename().string(), {{"sha256", manifest->sha256}, {"bytes", manifest->bytes}});
    respond(answer({{"path", dir.string()}, {"manifest", view}}, 201));
  });
}

}  // namespace licensor::server
