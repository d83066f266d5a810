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

// Ready means this process can serve writes now: a signing key is loaded, a write job commits,
// and the replica's last heartbeat write committed with none waiting for long. The probe's write
// is an empty job, so it costs the writer almost nothing; a writer that is stuck leaves it
// unanswered, which a probe's own timeout counts as not ready. An empty job writes nothing, so
// a database that takes no writes (a primary waiting for its synchronous standby) could still
// answer it: the heartbeat, which writes, tells that apart.
void ready_get(service& svc, api_call&, responder respond) {
  const bool signing = !svc.signer()->active_kid.value.empty();
  svc.store().submit([](store::write_view&) { return result<void>{}; },
                     [signing, heartbeat = svc.replica().writable(lease_clock_now()),
                      respond = std::move(respond)](result<void> committed) {
                       const bool ready = signing && committed.ok() && heartbeat;
                       respond(answer({{"ready", ready},
                                       {"checks",
                                        {{"signing_key", signing ? "ok" : "no active signing key"},
                                         {"store_writes", committed ? std::string("ok")
                                                                    : std::string(errc_code(committed.error()))},
                                        {"heartbeat", heartbeat ? "ok" : "the last heartbeat write failed or waits"}}}},
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
