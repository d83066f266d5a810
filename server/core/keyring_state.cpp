#include "core/keyring_state.hpp"

#include <cstdio>
#include <future>

#include "core/caller.hpp"
#include "core/keyring_audit.hpp"
#include "core/keyring_share.hpp"
#include "core/refusal.hpp"

namespace licensor::server {
namespace {

void log_failure(const char* what, errc code) {
  std::fprintf(stderr, "licensord: %s: %s\n", what, std::string(errc_code(code)).c_str());
}

constexpr std::int64_t retired_prune_interval_seconds = 3600;

}  // namespace

keyring_state::keyring_state(std::filesystem::path key_dir, keys::key_dir_options options,
                             std::int64_t retired_secret_grace_seconds, bool share_through_store)
    : key_dir_(std::move(key_dir)),
      options_(std::move(options)),
      retired_secret_grace_seconds_(retired_secret_grace_seconds),
      sharing_(share_through_store) {}

result<void> keyring_state::reload() {
  auto loaded = keys::key_dir_load_signer(key_dir_, options_);
  if (!loaded) return loaded.error();
  auto next = std::make_shared<const keys::signer_state>(std::move(*loaded));
  std::lock_guard lock(mutex_);
  current_ = std::move(next);
  return {};
}

std::shared_ptr<const keys::signer_state> keyring_state::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::shared_ptr<void> keyring_state::change_hold() {
  ++changes_held_;
  return {nullptr, [this](void*) { --changes_held_; }};
}

result<void> keyring_state::audit_baseline(store::store& store) {
  const auto version = current()->keyring.version;
  std::promise<result<void>> baseline;
  store.submit([version](store::write_view& write) {
    return refusal_caught([&] { keyring_audit_baseline(write, version); });
  }, [&baseline](result<void> committed) { baseline.set_value(committed); });
  return baseline.get_future().get();
}

void keyring_state::share_sync(store::store& store) {
  if (!sharing_.load()) return;
  const auto note = [this](const char* what, errc code) {
    if (code == last_share_failure_) return;  // a lasting failure is logged once, not each second
    last_share_failure_ = code;
    log_failure(what, code);
  };
  auto view = store.read();
  if (!view) return note("the store's shared keys could not be read", view.error());
  auto adopted = keyring_shared_adopt(**view, key_dir_);
  if (!adopted) return note("the store's shared keys could not be adopted", adopted.error());
  if (*adopted) return;  // the version check below reloads them
  const auto local = keys::key_dir_keyring_version(key_dir_);
  std::optional<keys::shared_keys> stored;
  if (!local || !refusal_caught([&] { stored = keyring_shared_get(**view); })) return;
  if (stored && stored->version >= *local) return;
  auto shared = keys::key_dir_shared(key_dir_);
  if (!shared && shared.error() == errc::forbidden) {
    sharing_ = false;
    std::fprintf(stderr, "licensord: the key dir holds development (unwrapped) secrets: they are not shared through "
                         "the store; replicas must share the key dir itself\n");
    return;
  }
  if (!shared) return note("the key dir's keys could not be read to share them", shared.error());
  if (publish_pending_.exchange(true)) return;
  store.submit([keys = std::move(*shared)](store::write_view& write) {
    return refusal_caught([&] { (void)keyring_shared_publish(write, keys); });
  }, [this](result<void> committed) {
    if (!committed) log_failure("the key dir's keys could not be published to the store", committed.error());
    publish_pending_ = false;
  });
}

void keyring_state::watch(store::store& store, std::int64_t now) {
  share_sync(store);
  if (now - retired_pruned_at_.load() >= retired_prune_interval_seconds) {
    retired_pruned_at_ = now;
    if (auto pruned = keys::key_dir_retired_secrets_prune(key_dir_, now, retired_secret_grace_seconds_); !pruned)
      log_failure("retired signing secrets could not be pruned", pruned.error());
  }
  if (auto version = keys::key_dir_keyring_version(key_dir_); version && *version != current()->keyring.version) {
    if (auto reloaded = reload(); !reloaded) log_failure("keyring changed on disk but could not be loaded", reloaded.error());
  }
  // A version nobody audited (a rotation made with licensorctl, or an API change whose commit
  // failed after the key dir changed) is audited here, once.
  auto signer = current();
  const auto version = signer->keyring.version;
  if (changes_held_.load() > 0) return;
  if (audited_.load() >= version || audit_pending_.exchange(true)) return;
  store.submit([signer = std::move(signer), now](store::write_view& write) {
    return refusal_caught([&] {
      (void)keyring_change_audit(write, caller_named(caller_kind::operator_, "keyring-watch"), "keys.keyring_changed",
                                 signer->active_kid.value, *signer, now);
    });
  }, [this, version](result<void> committed) {
    if (committed) audited_ = version;
    audit_pending_ = false;
  });
}

}  // namespace licensor::server
