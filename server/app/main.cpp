// licensord: wires configuration, keys, the store, the API and the HTTPS server together.
// Everything that can fail here prints one line and exits non-zero.
#include <signal.h>
#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <tuple>

#include "api/router.hpp"
#include "api/service.hpp"
#include "app/config.hpp"
#include "app/replica_id.hpp"
#include "app/store_commands.hpp"
#include "app/store_open.hpp"
#include "core/credentials.hpp"
#include "core/keyring_share.hpp"
#include "core/mail_channel.hpp"
#include "core/refusal.hpp"
#include "http/http_server.hpp"
#include "http/tls.hpp"
#include "jobs/background_jobs.hpp"
#include "jobs/delivery_job.hpp"
#include "jobs/replica_heartbeat.hpp"
#include "jobs/mail_transport.hpp"
#include "jobs/webhook_transport.hpp"
#include "licensor/keys/key_dir.hpp"

namespace {

using namespace licensor;
using namespace licensor::server;

int fail(const std::string& what, errc code) {
  std::fprintf(stderr, "licensord: %s: %s (%s)\n", what.c_str(), std::string(errc_message(code)).c_str(),
               std::string(errc_code(code)).c_str());
  return 1;
}

// Creates the key dir on first start: wrapped when a passphrase is set, else in development
// mode, and says so loudly.
result<void> key_dir_ensure(const daemon_config& config, const keys::key_dir_options& options) {
  std::error_code ec;
  if (std::filesystem::exists(keys::key_dir_keyring_path(config.key_dir), ec)) return {};
  keys::key_dir_options init = options;
  init.development_unwrapped = options.passphrase.empty();
  if (init.development_unwrapped)
    std::fprintf(stderr,
                 "licensord: WARNING: DEVELOPMENT MODE: creating signing keys in %s UNWRAPPED (no %s set).\n"
                 "licensord: WARNING: never use these keys for real licenses.\n",
                 config.key_dir.c_str(), config.passphrase_env.c_str());
  return keys::key_dir_init(config.key_dir, init, std::time(nullptr));
}

// Secrets read from the environment are taken out of it at once: the environment is readable
// in /proc by the same user, copied into every child, and shown in crash reports.
std::string environment_take(const char* name) {
  const char* value = std::getenv(name);
  std::string taken = value == nullptr ? "" : value;
  if (value != nullptr) ::unsetenv(name);
  return taken;
}

constexpr std::size_t min_operator_token_length = 32;
constexpr std::size_t min_passphrase_length = 12;

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return fail("libsodium", errc::internal);
  std::vector<std::string> args(argv + 1, argv + argc);
  // licensord backup | restore FOLDER | move-store TARGET [options]: the store commands, with
  // the server's options.
  const std::string command =
      !args.empty() && (args[0] == "backup" || args[0] == "restore" || args[0] == "move-store") ? args[0] : "";
  std::string command_operand;
  if (!command.empty()) args.erase(args.begin());
  if (command == "restore" || command == "move-store") {
    if (args.empty() || args[0].starts_with("--")) {
      std::fprintf(stderr, "licensord: %s takes its %s first (see --help)\n", command.c_str(),
                   command == "restore" ? "backup folder" : "target store");
      return 2;
    }
    command_operand = args[0];
    args.erase(args.begin());
  }
  std::string error;
  auto config = daemon_config_parse(args, error);
  if (!config) {
    std::fprintf(stderr, "licensord: %s (see --help)\n", error.c_str());
    return 2;
  }
  if (config->show_help) {
    std::fputs(daemon_usage(), stdout);
    return 0;
  }
  if (command == "backup") return backup_command(*config);
  if (command == "restore") return restore_command(*config, command_operand);
  if (command == "move-store") return move_store_command(*config, command_operand);

  // Signals are taken by one thread with sigwait; every other thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // A data dir this process creates is private; an existing one keeps the mode its owner chose.
  std::error_code dir_error;
  if (!std::filesystem::exists(config->data_dir, dir_error)) {
    std::filesystem::create_directories(config->data_dir, dir_error);
    if (!dir_error) std::filesystem::permissions(config->data_dir, std::filesystem::perms::owner_all, dir_error);
  }
  if (dir_error) return fail("data dir " + config->data_dir.string(), errc::io_error);

  keys::key_dir_options key_options;
  key_options.passphrase = environment_take(config->passphrase_env.c_str());
  auto chosen_operator_token = environment_take("LICENSOR_OPERATOR_TOKEN");
  // A file named on the command line or in the config wins over the environment (which is
  // still emptied above): e.g. systemd credentials, which never enter the environment.
  std::string passphrase_source = config->passphrase_env;
  std::string operator_token_source = "LICENSOR_OPERATOR_TOKEN";
  for (auto [file, secret, source] : {std::tuple{&config->passphrase_file, &key_options.passphrase, &passphrase_source},
                                      std::tuple{&config->operator_token_file, &chosen_operator_token, &operator_token_source}}) {
    if (file->empty()) continue;
    std::string read_error;
    auto from_file = secret_file_read(*file, read_error);
    if (!from_file) {
      std::fprintf(stderr, "licensord: %s\n", read_error.c_str());
      return 2;
    }
    sodium_memzero(secret->data(), secret->size());
    *secret = std::move(*from_file);
    *source = file->string();
  }
  if (!config->smtp_password_file.empty()) {
    std::string read_error;
    auto password = secret_file_read(config->smtp_password_file, read_error);
    if (!password) {
      std::fprintf(stderr, "licensord: %s\n", read_error.c_str());
      return 2;
    }
    config->smtp.password = std::move(*password);
  }
  if (!key_options.passphrase.empty() && key_options.passphrase.size() < min_passphrase_length) {
    std::fprintf(stderr, "licensord: %s is shorter than %zu characters; choose a longer passphrase\n",
                 passphrase_source.c_str(), min_passphrase_length);
    return 2;
  }
  if (!chosen_operator_token.empty() && chosen_operator_token.size() < min_operator_token_length) {
    std::fprintf(stderr, "licensord: %s is shorter than %zu characters; use a random token "
                 "(e.g. openssl rand -base64 32)\n", operator_token_source.c_str(), min_operator_token_length);
    return 2;
  }
  const bool default_tls = config->tls_cert == config->data_dir / "tls" / "cert.pem";
  if (default_tls) {
    if (auto made = tls_self_signed_ensure(config->tls_cert, config->tls_key); !made)
      return fail("self-signed certificate", made.error());
  }
  if (tls_key_world_readable(config->tls_key)) {
    std::fprintf(stderr, "licensord: the TLS key %s is readable by other users; chmod 0600 (or 0640 for a service "
                 "group) and start again\n", config->tls_key.c_str());
    return 2;
  }
  auto tls = tls_context_load(config->tls_cert, config->tls_key);
  if (!tls) return fail("TLS certificate " + config->tls_cert.string(), tls.error());

  // The portal: a folder named on the command line must load; the default one may be absent
  // (a build without it, a package that leaves it out), which leaves the portal off.
  std::shared_ptr<const portal_assets> portal;
  {
    const bool chosen = !config->portal_dir.empty();
    std::error_code ignored;
    const auto dir = chosen ? config->portal_dir
                            : std::filesystem::read_symlink("/proc/self/exe", ignored).parent_path() / ".." / "share" /
                                  "licensor" / "portal";
    std::string error;
    if (chosen || std::filesystem::exists(dir / "index.html")) {
      auto loaded = portal_assets::load(dir, error);
      if (!loaded) {
        std::fprintf(stderr, "licensord: portal: %s\n", error.c_str());
        return 2;
      }
      portal = std::make_shared<const portal_assets>(std::move(*loaded));
    }
  }

  std::string store_where;
  auto store = configured_store_open(*config, store_where);
  if (!store) return fail(store_where, store.error());
  // Replicas on one store share their keys through it: a replica whose key dir is behind (or
  // holds only root.public) takes the store's first, so that it never makes keys of its own.
  const bool shared_store = !config->store.empty();
  if (shared_store) {
    auto view = (*store)->read();
    if (!view) return fail(store_where, view.error());
    if (auto adopted = keyring_shared_adopt(**view, config->key_dir); !adopted)
      return fail("the store's shared signing keys, into " + config->key_dir.string() +
                      " (it needs the root.public they were signed with)",
                  adopted.error());
  }
  if (auto keys_ready = key_dir_ensure(*config, key_options); !keys_ready)
    return fail("key dir " + config->key_dir.string(), keys_ready.error());
  auto operator_token = operator_token_ensure(**store, std::move(chosen_operator_token));
  if (!operator_token) return fail("operator token", operator_token.error());

  service_config settings;
  settings.key_dir = config->key_dir;
  settings.key_options = key_options;
  settings.issuer = config->issuer;
  settings.test_clock = config->test_clock;
  settings.limits = config->limits;
  settings.idempotency_ttl_seconds = config->idempotency_ttl_seconds;
  settings.retired_secret_grace_seconds = config->retired_secret_grace_seconds;
  settings.backup_dir = config->backup_dir;
  settings.outbound = config->webhooks;
  settings.smtp_configured = !config->smtp.url.empty();
  settings.compliance = config->compliance;
  settings.portal = portal;
  auto replica_id = replica_id_ensure(config->data_dir);
  if (!replica_id) return fail("replica id in " + config->data_dir.string(), replica_id.error());
  settings.replica_id = *replica_id;
  settings.share_keys = shared_store;
  auto svc = service::create(std::move(settings), std::move(*store));
  if (!svc) return fail("signing keys in " + config->key_dir.string(), svc.error());
  if (operator_token->replaced)
    (*svc)->audit_record(caller_named(caller_kind::operator_, "environment"), "operator_token.replace", "operator");

  // Renewals, the keyring watch, re-signing after a revocation; a first pass at once catches up
  // after downtime (and finishes a re-signing a restart interrupted).
  auto& server_state = **svc;
  // The heartbeat beats once first, so that the jobs' first passes know whether this replica
  // holds the lease on the shared work (core/replica.hpp).
  auto heartbeat = std::make_unique<replica_heartbeat>(server_state.store(), server_state.replica());
  heartbeat->start();
  auto jobs = std::make_unique<job_runner>(server_state.jobs(), server_state.replica(),
                                           [&server_state] { return server_state.now(); });
  background_jobs_add(*jobs, {server_state.store(), server_state.keyring(), config->issuer,
                             [&server_state] { return server_state.now(); }, config->expiry,
                             config->event_retention_seconds, config->compliance, server_state.config().leeway_seconds,
                             config->campaign_batch});
  // Deliveries each on their own thread: a slow receiver or mail server must not hold up
  // renewals, nor each other.
  const auto clock = [&server_state] { return server_state.now(); };
  if (auto ensured = store::submit_wait(server_state.store(), [now = clock()](store::write_view& write) {
        return refusal_caught([&] { mail_channel_ensure(write, now); });
      });
      !ensured)
    return fail("store (the mail channel)", ensured.error());
  auto webhooks = std::make_unique<delivery_job>(server_state.store(), clock, server_state.jobs(), server_state.replica(),
                                                 server_state.metrics(),
                                                 std::make_unique<webhook_transport>(config->webhooks, clock));
  auto mail = std::make_unique<delivery_job>(
      server_state.store(), clock, server_state.jobs(), server_state.replica(), server_state.metrics(),
      std::make_unique<mail_transport>(server_state.store(), config->smtp,
                                       [&server_state](const std::string& kid) {
                                         return !server_state.signer()->keyring.is_revoked(KeyId{kid});
                                       },
                                       clock));
  // The test clock runs the jobs, then delivers what they (and the moved clock) made due.
  // `done` holds the request's connection: it is moved along, never copied, so that no copy left
  // behind on a job thread outlives the connection's I/O context at shutdown (http_server.cpp).
  server_state.jobs_trigger_set([&jobs, &webhooks, &mail](std::function<void(std::size_t)> done) {
    jobs->run_now([&webhooks, &mail, done = std::move(done)](const job_runner::pass_counts& changed) mutable {
      const auto subscriptions = changed.find("subscriptions");
      const std::size_t count = subscriptions == changed.end() ? 0 : subscriptions->second;
      webhooks->run_now([&mail, done = std::move(done), count](std::size_t) mutable {
        mail->run_now([done = std::move(done), count](std::size_t) { done(count); });
      });
    });
  });
  jobs->start();
  webhooks->start();
  mail->start();
  router routes(**svc);
  config->http.metrics = &server_state.metrics();
  http_server server([&routes](const api_request& request, responder respond) { routes.handle(request, std::move(respond)); },
                     *tls, config->http);
  auto port = server.listen();
  if (!port) return fail("listen on " + config->http.address, port.error());

  std::cout << "licensord listening on https://" << config->http.address << ":" << *port << "\n";
  std::cout << "root public key (pin it in apps): " << keys::key_dir_root_public_path(config->key_dir).string() << "\n";
  if (!operator_token->printed.empty())
    std::cout << "operator token (shown once, keep it safe): " << operator_token->printed << "\n";
  std::cout << std::flush;

  std::thread signal_waiter([&server, stop_signals] {
    int received = 0;
    sigwait(&stop_signals, &received);
    server.stop();
  });
  server.run();
  // run() returned because stop() was called from the signal thread, or the server failed.
  if (signal_waiter.joinable()) {
    pthread_kill(signal_waiter.native_handle(), SIGTERM);
    signal_waiter.join();
  }
  server_state.jobs_trigger_set({});
  jobs.reset();
  webhooks.reset();
  mail.reset();
  heartbeat.reset();  // gives the lease up: another replica takes the shared work over at once
  svc->reset();  // drains the group-commit queue, syncs and closes LMDB
  std::fprintf(stderr, "licensord: stopped cleanly\n");
  return 0;
}
