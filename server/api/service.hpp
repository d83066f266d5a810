// What every handler is given: the store (read() for a snapshot, commit() for a change), the
// keys in force, the clock, the limiters and the jobs' health. commit() runs the change as one
// store job together with the Idempotency-Key check and its record, and answers only once the
// change is durable. Handlers hand views to core operations; they never read or write records
// themselves.
//
// Thread safety: every member function may be called from any worker thread.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api/api_types.hpp"
#include "api/portal_assets.hpp"
#include "api/rate_limiter.hpp"
#include "core/compliance.hpp"
#include "core/job_health.hpp"
#include "core/replica.hpp"
#include "core/keyring_state.hpp"
#include "core/license_tokens.hpp"
#include "core/task_thread.hpp"
#include "domain/rules.hpp"
#include "licensor/keys/key_dir.hpp"
#include "metrics/metrics.hpp"
#include "outbound/http_client.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// Brute-force limits: requests per minute and burst, per client address or per key.
struct rate_limits {
  double activate_per_client = 120, activate_per_client_burst = 60;
  double activate_per_key = 10, activate_per_key_burst = 10;
  double auth_failures_per_client = 30, auth_failures_per_client_burst = 20;
  /// Wrong passwords: per client address, and per account whatever the address, so that
  /// spreading guesses over many addresses does not help. An account under attack takes at
  /// most `burst` wrong passwords and then one per 60/per_minute seconds; once the guessing
  /// stops, its owner can sign in again within that time (30 s by default).
  double sign_in_failures_per_client = 10, sign_in_failures_per_client_burst = 20;
  double sign_in_failures_per_account = 2, sign_in_failures_per_account_burst = 10;
  /// Wrong passwords from a known device of the account (core/devices.hpp), which spend these
  /// instead of the account's and the address's: guessing elsewhere cannot lock its owner out.
  double sign_in_failures_per_device = 2, sign_in_failures_per_device_burst = 5;
};

struct service_config {
  std::filesystem::path key_dir;
  keys::key_dir_options key_options;
  std::string issuer = "licensor";
  level_caps caps;
  std::int64_t leeway_seconds = 60;
  compliance_settings compliance;  ///< the compliance sweep's interval and deadline
  bool test_clock = false;  ///< enables POST /v1/test/clock (tests only)
  std::int64_t idempotency_ttl_seconds = 86'400;  ///< how long a first answer is replayed
  std::int64_t retired_secret_grace_seconds = 30 * 86'400;  ///< then a retired key's secret is deleted
  rate_limits limits;
  std::filesystem::path backup_dir;  ///< where POST /v1/backups writes snapshots (one folder each)
  outbound_options outbound;         ///< what webhook URLs may be (checked when registered)
  bool smtp_configured = false;      ///< an SMTP server was configured: mail goes out once a sender is set
  std::shared_ptr<const portal_assets> portal;  ///< the web portal's files; null: no portal is served
  std::string replica_id = "replica";  ///< names this replica in the lease on shared work (core/replica.hpp)
  bool share_keys = false;  ///< the store is shared by replicas: so are the keys (core/keyring_share.hpp)
};

/// The limiters shared by every request.
struct service_limiters {
  explicit service_limiters(const rate_limits& limits)
      : activate_by_client(limits.activate_per_client, limits.activate_per_client_burst),
        activate_by_key(limits.activate_per_key, limits.activate_per_key_burst),
        auth_failures_by_client(limits.auth_failures_per_client, limits.auth_failures_per_client_burst),
        sign_in_failures_by_client(limits.sign_in_failures_per_client, limits.sign_in_failures_per_client_burst),
        sign_in_failures_by_account(limits.sign_in_failures_per_account, limits.sign_in_failures_per_account_burst),
        sign_in_failures_by_device(limits.sign_in_failures_per_device, limits.sign_in_failures_per_device_burst) {}
  rate_limiter activate_by_client;
  rate_limiter activate_by_key;
  rate_limiter auth_failures_by_client;
  rate_limiter sign_in_failures_by_client;
  rate_limiter sign_in_failures_by_account;
  rate_limiter sign_in_failures_by_device;
};

class service {
 public:
  /// Loads the keys and records the keyring in force as audited. Errors: those of
  /// keys::key_dir_load_signer, and the store's.
  [[nodiscard]] static result<std::unique_ptr<service>> create(service_config config,
                                                               std::unique_ptr<store::store> store);
  ~service();

  /// A consistent snapshot. Throws refusal when the store cannot open one.
  [[nodiscard]] std::unique_ptr<store::read_view> read() const;

  using change = std::function<api_response(store::write_view&, const signing&)>;
  /// Runs `work` as a store job (after the caller's Idempotency-Key check) and calls `respond`
  /// once it is durable. `work` may throw refusal: its writes are then discarded. It signs
  /// tokens through the `signing` it is given (core/signed_commit.hpp), so it may run more than
  /// once, as the store may too (store/store.hpp): it captures by value.
  void commit(const api_call& call, change work, responder respond);
  /// The same, signing with `with` (keys taken, and tokens signed ahead, before submitting).
  void commit(const api_call& call, signing with, change work, responder respond);

  /// Runs `work` as commit() would and answers what it answered, but keeps none of its writes:
  /// a preview of a change (what it would charge, what the record would become). The job rolls
  /// back by answering `conflict` to the store, after which nothing is retried; tokens it would
  /// sign are not signed (their placeholders are in its answer). No Idempotency-Key is kept.
  void preview(change work, responder respond);

  /// The first answer to `call`'s Idempotency-Key, read outside any write: for changes that
  /// act outside the store (the key dir) and must not act twice. Throws refusal.
  [[nodiscard]] std::optional<api_response> replay_of(const api_call& call) const;

  /// Appends one audit entry in its own write, without waiting (failed authentications, the
  /// operator token replaced at start). A failure is logged, never thrown.
  void audit_record(caller who, std::string action, std::string target,
                    nlohmann::json details = nlohmann::json::object());

  /// The keys in force (no disk access: the keyring watch job reloads them).
  [[nodiscard]] std::shared_ptr<const keys::signer_state> signer() const { return keyring_.current(); }
  /// The keys in force with the issuer: what a change signs with.
  [[nodiscard]] signing signing_now() const { return {signer(), config_.issuer}; }
  [[nodiscard]] keyring_state& keyring() noexcept { return keyring_; }

  /// Runs the background jobs now (the test clock), calling `done` with how many subscriptions
  /// they changed; set by the composition root (app/), which owns the jobs.
  using jobs_trigger = std::function<void(std::function<void(std::size_t)>)>;
  void jobs_trigger_set(jobs_trigger trigger) { jobs_trigger_ = std::move(trigger); }
  void jobs_run_now(std::function<void(std::size_t)> done);

  [[nodiscard]] std::int64_t now() const;
  void clock_set(std::int64_t now);  ///< test clock only
  [[nodiscard]] const service_config& config() const noexcept { return config_; }
  [[nodiscard]] service_limiters& limiters() noexcept { return limiters_; }
  [[nodiscard]] job_health& jobs() noexcept { return jobs_; }
  /// This replica: whether it runs the shared jobs and can write (its heartbeat, in jobs/).
  [[nodiscard]] replica_state& replica() noexcept { return replica_; }
  [[nodiscard]] store::store& store() noexcept { return *store_; }
  /// Every instrument of this process, and what is read at each scrape (GET /metrics).
  [[nodiscard]] metrics::registry& metrics() noexcept { return metrics_; }

  /// Runs `task` on the thread of long reads (backups, campaign dry runs), one at a time, off
  /// the request threads.
  void long_read_post(std::function<void()> task) { long_reads_->post(std::move(task)); }

 private:
  service(service_config config, std::unique_ptr<store::store> store);
  /// Registers what GET /metrics reads at each scrape (service_metrics.cpp).
  void metrics_collectors_add();

  service_config config_;
  service_limiters limiters_;
  job_health jobs_;
  replica_state replica_;
  keyring_state keyring_;
  jobs_trigger jobs_trigger_;
  std::unique_ptr<store::store> store_;
  task_thread presigner_;  ///< signs what write jobs asked for, off the store's writer
  std::unique_ptr<task_thread> long_reads_;  ///< ends before the store closes
  metrics::registry metrics_;
  std::atomic<std::int64_t> clock_override_{0};
};

}  // namespace licensor::server
