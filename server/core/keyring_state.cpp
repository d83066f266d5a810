#include "core/keyring_state.hpp"

#include <cstdio>
#include <future>

#include "core/caller.hpp"
#include "core/keyring_audit.hpp"

namespace licensor::server {
namespace {

void log_failure(const char* what, errc code) {
  std::fprintf(stderr, "licensord: %s: %s\n", what, std::string(errc_code(code)).c_str());
}

constexpr std::int64_t retired_prune_interval_seconds = 3600;

}  // namespace

keyring_state::keyring_state(std::filesystem::path key_dir, keys::key_dir_options options,
                             std::int64_t retired_secret_grace_seconds)
    : key_dir_(std::move(key_dir)), options_(std::move(options)), retired_secret_grace_seconds_(retired_secret_grace_seconds) {}

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

void keyring_state::watch(store::store& store, std::int64_t now) {
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
