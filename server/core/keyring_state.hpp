// The signing keys in force, shared by requests and jobs. Requests only read them (current(),
// no disk access); the keyring watch job calls watch() every second to share the keys with other
// replicas through the store (core/keyring_share.hpp: publish a newer key dir, adopt a newer
// store), pick up a keyring changed on disk (by licensorctl, or adopted), audit a version nobody
// audited yet, and delete retired secrets past their grace. An API key change reloads at once (reload) and holds the watch's audit off
// (change_hold) until its own commit has answered, so each version is audited once.
//
// Thread safety: every member function may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>

#include "licensor/keys/key_dir.hpp"
#include "store/store.hpp"

namespace licensor::server {

class keyring_state {
 public:
  /// `share_through_store`: the store is shared by replicas, which share their keys through it.
  keyring_state(std::filesystem::path key_dir, keys::key_dir_options options, std::int64_t retired_secret_grace_seconds,
                bool share_through_store);

  /// Loads the key dir. Errors: those of keys::key_dir_load_signer.
  [[nodiscard]] result<void> reload();
  /// The keys in force (never null after a successful reload()).
  [[nodiscard]] std::shared_ptr<const keys::signer_state> current() const;

  /// Held by an API key change from before it touches the key dir until its commit answered.
  [[nodiscard]] std::shared_ptr<void> change_hold();

  /// The version in force when the store was created (or upgraded) needs no audit entry:
  /// records it as audited, in `store`, before anything else runs. Errors: the store's.
  [[nodiscard]] result<void> audit_baseline(store::store& store);

  /// The watch's pass at `now`. Errors are logged, never thrown.
  void watch(store::store& store, std::int64_t now);

  [[nodiscard]] const std::filesystem::path& key_dir() const noexcept { return key_dir_; }
  [[nodiscard]] const keys::key_dir_options& options() const noexcept { return options_; }

 private:
  /// Publishes the key dir's keys when they are newer than the store's, or adopts the store's
  /// when they are newer. Errors are logged, never thrown.
  void share_sync(store::store& store);

  const std::filesystem::path key_dir_;
  const keys::key_dir_options options_;
  const std::int64_t retired_secret_grace_seconds_;
  mutable std::mutex mutex_;
  std::shared_ptr<const keys::signer_state> current_;
  std::atomic<std::uint64_t> audited_{0};         ///< highest version known to be audited
  std::atomic<bool> audit_pending_{false};        ///< one catch-up write at a time
  std::atomic<int> changes_held_{0};              ///< API key changes in flight
  std::atomic<std::int64_t> retired_pruned_at_{0};
  std::atomic<bool> sharing_;                 ///< off for a store of one process, or a development key dir
  std::atomic<bool> publish_pending_{false};  ///< one publication at a time
  errc last_share_failure_ = errc::internal;  ///< logged once until it changes (the watch's thread only)
};

}  // namespace licensor::server
