#include "api/service.hpp"

#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <future>

#include "api/idempotency.hpp"
#include "api/keyring_audit.hpp"
#include "licensor/base64url.hpp"
#include "licensor/rfc3339.hpp"
#include "store/schema.hpp"

namespace licensor::server {
namespace {

constexpr std::int64_t signer_poll_seconds = 1;

}  // namespace

std::string id_generate(std::string_view prefix) {
  constexpr std::string_view alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
  std::array<std::uint8_t, 20> random{};
  randombytes_buf(random.data(), random.size());
  std::string id(prefix);
  for (const auto byte : random) id += alphabet[byte & 31];
  return id;
}

std::string hash_hex(std::string_view secret) {
  std::array<std::uint8_t, 16> hash{};
  crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const std::uint8_t*>(secret.data()),
                     secret.size(), nullptr, 0);
  std::array<char, 33> hex{};
  sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
  return std::string(hex.data(), 32);
}

service::service(service_config config, std::unique_ptr<store::lmdb_env> env)
    : config_(std::move(config)), limiters_(config_.limits), env_(std::move(env)), writer_(std::make_unique<store::group_commit>(*env_)) {}

service::~service() {
  writer_.reset();  // runs what is queued, then stops
  env_->sync();
}

result<std::unique_ptr<service>> service::create(service_config config, std::unique_ptr<store::lmdb_env> env) {
  std::unique_ptr<service> out(new service(std::move(config), std::move(env)));
  if (auto loaded = out->signer_reload(); !loaded) return loaded.error();
  // The keyring in force when this store was created (or upgraded) needs no audit entry.
  const auto version = out->signer_->keyring.version;
  std::promise<result<void>> baseline;
  out->writer_->submit([version](store::txn& write) -> result<void> {
    try {
      keyring_audit_baseline(write, version);
      return {};
    } catch (const api_error& error) {
      return error.code;
    }
  }, [&baseline](result<void> committed) { baseline.set_value(committed); });
  if (auto committed = baseline.get_future().get(); !committed) return committed.error();
  return out;
}

store::txn service::read() const {
  auto snapshot = env_->begin_read();
  if (!snapshot) api_fail(snapshot.error());
  return std::move(*snapshot);
}

void service::commit(const api_call& call, change work, responder respond) {
  auto scope = idempotency_scope_of(call);
  auto outcome = std::make_shared<api_response>();
  auto job = [this, work = std::move(work), outcome, scope = std::move(scope)](store::txn& write) -> result<void> {
    try {
      const auto now = this->now();
      if (scope) {
        if (auto first = idempotency_replay(write, *scope, now, config_.idempotency_ttl_seconds)) {
          *outcome = std::move(*first);
          return {};  // a replay: the first answer, and no change
        }
      }
      *outcome = work(write);
      if (scope) idempotency_record(write, *scope, *outcome, now, config_.idempotency_ttl_seconds);
      return {};
    } catch (const api_error& error) {
      *outcome = error_response(error);
      return error.code;
    }
  };
  writer_->submit(std::move(job), [outcome, respond = std::move(respond)](result<void> committed) {
    // A job that failed already wrote its error into `outcome`; a failed commit did not.
    if (!committed && outcome->status < 400) *outcome = error_response(committed.error());
    respond(std::move(*outcome));
  });
}

std::optional<api_response> service::replay_of(const api_call& call) const {
  const auto scope = idempotency_scope_of(call);
  if (!scope) return std::nullopt;
  return idempotency_replay(read(), *scope, now(), config_.idempotency_ttl_seconds);
}

void service::audit_record(caller who, std::string action, std::string target, nlohmann::json details) {
  writer_->submit([this, who = std::move(who), action = std::move(action), target = std::move(target),
                   details = std::move(details)](store::txn& write) -> result<void> {
    try {
      audit_append(write, who, action, target, details);
      return {};
    } catch (const api_error& error) {
      return error.code;
    }
  }, [](result<void> committed) {
    if (!committed)
      std::fprintf(stderr, "licensord: an audit entry could not be written: %s\n",
                   std::string(errc_code(committed.error())).c_str());
  });
}

void service::keyring_watch(std::shared_ptr<const keys::signer_state> current) {
  const auto now_seconds = now();
  if (now_seconds - retired_pruned_at_.load() >= 3600) {
    retired_pruned_at_ = now_seconds;
    auto pruned = keys::key_dir_retired_secrets_prune(config_.key_dir, now_seconds, config_.retired_secret_grace_seconds);
    if (!pruned)
      std::fprintf(stderr, "licensord: retired signing secrets could not be pruned: %s\n",
                   std::string(errc_code(pruned.error())).c_str());
  }
  // A version nobody audited (a rotation made with licensorctl, or an API change whose commit
  // failed after the key dir changed) is audited here, once.
  const auto version = current->keyring.version;
  if (keyring_changes_held_.load() > 0) return;
  if (keyring_audited_.load() >= version || keyring_audit_pending_.exchange(true)) return;
  writer_->submit([this, signer = std::move(current)](store::txn& write) -> result<void> {
    try {
      (void)keyring_change_audit(*this, write, caller{caller_kind::operator_, "", "keyring-watch"},
                                 "keys.keyring_changed", signer->active_kid.value, *signer);
      return {};
    } catch (const api_error& error) {
      return error.code;
    }
  }, [this, version](result<void> committed) {
    if (committed) keyring_audited_ = version;
    keyring_audit_pending_ = false;
  });
}

std::shared_ptr<void> service::keyring_change_hold() {
  ++keyring_changes_held_;
  return {nullptr, [this](void*) { --keyring_changes_held_; }};
}

std::shared_ptr<const keys::signer_state> service::signer() {
  const auto wall = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::steady_clock::now().time_since_epoch()).count();
  auto checked = signer_checked_at_.load();
  if (wall - checked >= signer_poll_seconds && signer_checked_at_.compare_exchange_strong(checked, wall)) {
    std::shared_ptr<const keys::signer_state> current;
    {
      std::lock_guard lock(signer_mutex_);
      current = signer_;
    }
    auto version = keys::key_dir_keyring_version(config_.key_dir);
    if (version && *version != current->keyring.version) {
      if (auto reloaded = signer_reload(); !reloaded)
        std::fprintf(stderr, "licensord: keyring changed on disk but could not be loaded: %s\n",
                     std::string(errc_code(reloaded.error())).c_str());
    }
    std::shared_ptr<const keys::signer_state> watched;
    {
      std::lock_guard lock(signer_mutex_);
      watched = signer_;
    }
    keyring_watch(std::move(watched));
  }
  std::lock_guard lock(signer_mutex_);
  return signer_;
}

result<void> service::signer_reload() {
  auto loaded = keys::key_dir_load_signer(config_.key_dir, config_.key_options);
  if (!loaded) return loaded.error();
  auto next = std::make_shared<const keys::signer_state>(std::move(*loaded));
  std::lock_guard lock(signer_mutex_);
  signer_ = std::move(next);
  return {};
}

std::int64_t service::now() const {
  if (const auto fixed = clock_override_.load(); fixed != 0) return fixed;
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void service::clock_set(std::int64_t now) { clock_override_.store(now); }

void service::audit_append(store::txn& write, const caller& who, std::string_view action,
                           std::string_view target, nlohmann::json details) const {
  auto last = write.last_key(store::db::audit);
  if (!last) api_fail(last.error());
  const std::uint64_t seq = *last ? std::stoull(**last, nullptr, 16) + 1 : 1;
  char key[17];
  std::snprintf(key, sizeof key, "%016llx", static_cast<unsigned long long>(seq));
  const nlohmann::json entry{{"seq", seq},          {"at", rfc3339_format(now())}, {"actor", who.id},
                             {"action", action},    {"target", target},           {"details", std::move(details)}};
  store_check(write.insert(store::db::audit, key, entry.dump()));
}

}  // namespace licensor::server
