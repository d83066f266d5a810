// The server's core state and the two ways handlers touch the store: read() for a read-only
// snapshot, commit() for a change. commit() runs the change in the group-commit writer inside
// one write transaction together with the idempotency check and its record, and answers only
// after the commit is durable.
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
#include "api/job_health.hpp"
#include "api/rate_limiter.hpp"
#include "domain/rules.hpp"
#include "licensor/keys/key_dir.hpp"
#include "store/group_commit.hpp"
#include "store/lmdb.hpp"

namespace licensor::server {

/// Brute-force limits: requests per minute and burst, per client address or per key.
struct rate_limits {
  double activate_per_client = 120, activate_per_client_burst = 60;
  double activate_per_key = 10, activate_per_key_burst = 10;
  double auth_failures_per_client = 30, auth_failures_per_client_burst = 20;
};

struct service_config {
  std::filesystem::path key_dir;
  keys::key_dir_options key_options;
  std::string issuer = "licensor";
  level_caps caps;
  std::int64_t leeway_seconds = 60;
  bool test_clock = false;  ///< enables POST /v1/test/clock (tests only)
  std::int64_t idempotency_ttl_seconds = 86'400;  ///< how long a first answer is replayed
  std::int64_t retired_secret_grace_seconds = 30 * 86'400;  ///< then a retired key's secret is deleted
  rate_limits limits;
};

/// The limiters shared by every request.
struct service_limiters {
  explicit service_limiters(const rate_limits& limits)
      : activate_by_client(limits.activate_per_client, limits.activate_per_client_burst),
        activate_by_key(limits.activate_per_key, limits.activate_per_key_burst),
        auth_failures_by_client(limits.auth_failures_per_client, limits.auth_failures_per_client_burst) {}
  rate_limiter activate_by_client;
  rate_limiter activate_by_key;
  rate_limiter auth_failures_by_client;
};

class service {
 public:
  /// Errors: those of keys::key_dir_load_signer.
  [[nodiscard]] static result<std::unique_ptr<service>> create(service_config config,
                                                               std::unique_ptr<store::lmdb_env> env);
  ~service();

  /// A read-only snapshot. Throws api_error(storage_error) if LMDB refuses.
  [[nodiscard]] store::txn read() const;

  using change = std::function<api_response(store::txn&)>;
  /// Runs `work` in a write transaction (after the caller's Idempotency-Key check) and calls
  /// `respond` once it is durable. `work` may throw api_error: its writes are then discarded.
  void commit(const api_call& call, change work, responder respond);

  /// The first answer to `call`'s Idempotency-Key, read outside any write: for changes that
  /// act outside the store (the key dir) and must not act twice. Throws api_error.
  [[nodiscard]] std::optional<api_response> replay_of(const api_call& call) const;

  /// Appends one audit entry in its own write, without waiting (failed authentications, the
  /// operator token replaced at start). A failure is logged, never thrown.
  void audit_record(caller who, std::string action, std::string target,
                    nlohmann::json details = nlohmann::json::object());

  /// The current signer; picks up a keyring changed on disk (licensorctl) within a second,
  /// audits a keyring version nobody audited yet, and deletes retired secrets past their grace.
  [[nodiscard]] std::shared_ptr<const keys::signer_state> signer();
  /// Re-reads the key dir now (after a rotation or revocation made through the API).
  [[nodiscard]] result<void> signer_reload();
  /// Held by an API key change from before it touches the key dir until its commit answered:
  /// meanwhile the keyring watch leaves the new version to that commit's audit entry (and
  /// audits it itself afterwards only if the commit failed).
  [[nodiscard]] std::shared_ptr<void> keyring_change_hold();

  [[nodiscard]] std::int64_t now() const;
  void clock_set(std::int64_t now);  ///< test clock only
  [[nodiscard]] const service_config& config() const noexcept { return config_; }
  [[nodiscard]] service_limiters& limiters() noexcept { return limiters_; }
  [[nodiscard]] job_health& jobs() noexcept { return jobs_; }

  /// Appends {seq, at, actor, action, target, details} to the audit log inside `write`.
  void audit_append(store::txn& write, const caller& who, std::string_view action, std::string_view target,
                    nlohmann::json details = nlohmann::json::object()) const;

 private:
  service(service_config config, std::unique_ptr<store::lmdb_env> env);
  void keyring_watch(std::shared_ptr<const keys::signer_state> current);

  service_config config_;
  service_limiters limiters_;
  job_health jobs_;
  std::unique_ptr<store::lmdb_env> env_;
  std::unique_ptr<store::group_commit> writer_;
  std::mutex signer_mutex_;
  std::shared_ptr<const keys::signer_state> signer_;
  std::atomic<std::int64_t> signer_checked_at_{0};
  std::atomic<std::uint64_t> keyring_audited_{0};      ///< highest version known to be audited
  std::atomic<bool> keyring_audit_pending_{false};     ///< one catch-up write at a time
  std::atomic<int> keyring_changes_held_{0};           ///< API key changes in flight
  std::atomic<std::int64_t> retired_pruned_at_{0};
  std::atomic<std::int64_t> clock_override_{0};
};

// -- helpers every handler uses

/// A random id with a type prefix, e.g. "lic_5kq2…".
[[nodiscard]] std::string id_generate(std::string_view prefix);
/// Hex of a 16-byte BLAKE2b hash: how tokens and API keys are indexed without storing them.
[[nodiscard]] std::string hash_hex(std::string_view secret);
/// Reads a record from `db` or throws api_error(`missing`).
template <class Record>
[[nodiscard]] Record record_get(const store::txn& t, const char* db, std::string_view key, errc missing) {
  auto value = t.get(db, key);
  if (!value) api_fail(value.error());
  if (!*value) api_fail(missing);
  return nlohmann::json::parse(**value).get<Record>();
}
template <class Record>
void record_put(store::txn& t, const char* db, std::string_view key, const Record& record) {
  if (auto put = t.put(db, key, nlohmann::json(record).dump()); !put) api_fail(put.error());
}
/// Inserts a new key, answering `on_conflict` when it already exists.
inline void insert_or_fail(store::txn& write, const char* db, std::string_view key, std::string_view value,
                           errc on_conflict) {
  if (auto inserted = write.insert(db, key, value); !inserted)
    api_fail(inserted.error() == errc::conflict ? on_conflict : inserted.error());
}
/// Unwraps a store result inside a change or a read, throwing api_error on failure.
inline void store_check(const result<void>& outcome) {
  if (!outcome) api_fail(outcome.error());
}

}  // namespace licensor::server
