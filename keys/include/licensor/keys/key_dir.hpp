// Key lifecycle (DESIGN.md section 3) over a key directory: create the root and the first
// signing key, rotate, revoke, and load what a server needs to sign licenses.
//
// Layout of a key directory DIR (created 0700):
//
//   DIR/root.public                 k4.public of the root, one line; apps pin it at build time
//   DIR/root.secret                 the root secret key: k4.secret-pw (k4.secret in development
//                                   mode); 0600. Read only by init, rotate and revoke, so a
//                                   server's copy of DIR may leave it out (keep it offline).
//   DIR/signing/<kid>.secret        one per signing key, kid = its k4.pid; same form as the root
//   DIR/keyring.token               the current keyring, a PASETO token signed by the root
//   DIR/lock                        flock'ed while a change runs, so two changes never interleave
//
// Files appear atomically and complete: each is written to a temporary file in the same
// directory (created O_CREAT|O_EXCL, 0600 for secrets), fsync'ed, then published and the
// directory fsync'ed. A file that must not be overwritten is published with link(2), which
// fails if the name exists; a file that may be replaced is published with rename(2).
// The keyring is written last, so a crash mid-change leaves the previous keyring in force
// (and at worst an unreferenced key file, removed by the next revoke or init --force).
//
// Secret form: a dir's secrets are all wrapped (k4.secret-pw, Argon2id with the options'
// limits) or all unwrapped (development mode, chosen at init). Readers tell the two apart by
// the PASERK prefix; rotate stores the new key in the form root.secret has.
//
// Revoked keys: the secret file is deleted once the revoking keyring is written. A revoked key
// must never sign again and is typically revoked because it leaked, so keeping it only helps
// a thief; its public key stays in the keyring (listed under "revoked") for verifiers.
// Retired keys keep their secret file for a grace period after the rotation that retired them
// (key_dir_retired_secrets_prune, run by licensord): nothing signs with them, and a secret that
// is not on the server cannot leak from it; the grace only leaves time to notice a bad rotation.
//
// Thread safety: changes (init, rotate, revoke) lock DIR against other processes; reads take
// no lock and see either the old or the new keyring, never a mix. No function throws.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include <sodium.h>

#include "licensor/key_types.hpp"
#include "licensor/keyring_document.hpp"
#include "licensor/paserk.hpp"
#include "licensor/result.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::keys {

struct key_dir_options {
  /// Store secrets as plain k4.secret (development only; read by key_dir_init alone).
  bool development_unwrapped = false;
  /// Wraps and unwraps k4.secret-pw secrets; wiped when the options are destroyed.
  std::string passphrase;
  /// Argon2id cost for newly wrapped secrets (unwrapping reads the cost from the secret).
  pbkw_limits limits{};

  ~key_dir_options() { sodium_memzero(passphrase.data(), passphrase.size()); }
};

// -- paths of the layout above
[[nodiscard]] std::filesystem::path key_dir_root_public_path(const std::filesystem::path& dir);
[[nodiscard]] std::filesystem::path key_dir_root_secret_path(const std::filesystem::path& dir);
[[nodiscard]] std::filesystem::path key_dir_keyring_path(const std::filesystem::path& dir);
[[nodiscard]] std::filesystem::path key_dir_signing_path(const std::filesystem::path& dir);
[[nodiscard]] std::filesystem::path key_dir_signing_secret_path(const std::filesystem::path& dir,
                                                                const KeyId& kid);

// -- changes (need the root secret)

/// Creates DIR (if missing), a root key pair, a first signing key and keyring version 1.
/// Errors: already_exists (DIR already holds a root or keyring and !force), bad_request (an
/// empty passphrase without development_unwrapped), io_error, internal (Argon2id memory).
/// With force, replaces root and keyring and deletes every signing key of the old root.
[[nodiscard]] result<void> key_dir_init(const std::filesystem::path& dir, const key_dir_options& options,
                                        unix_seconds now, bool force = false);

/// Makes a new signing key active (nbf = now); the previous active key becomes retired and
/// still verifies its tokens. The version goes up by one and the root re-signs. Returns the
/// new kid. With `from_version`, rotates only a keyring still at that version, so a retried
/// request cannot rotate twice. Errors: conflict (the keyring is at another version),
/// root_key_offline (no root.secret in DIR), wrong_password, keyring_bad_signature
/// (keyring.token not signed by root.public), malformed (a file's content, or root.secret not
/// matching root.public), io_error, internal.
[[nodiscard]] result<KeyId> key_dir_rotate(const std::filesystem::path& dir,
                                           const key_dir_options& options, unix_seconds now,
                                           std::optional<std::uint64_t> from_version = std::nullopt);

/// Lists `kid` as revoked (version + 1, root re-signs) and deletes its secret. Revoking an
/// already revoked kid changes nothing. Errors: not_found (no such kid in the keyring),
/// no_active_key (it is the last active key: rotate first), and those of key_dir_rotate.
[[nodiscard]] result<void> key_dir_revoke(const std::filesystem::path& dir,
                                          const key_dir_options& options, const KeyId& kid,
                                          unix_seconds now);

/// When `kid` was retired (the activation of the key after it), or nullopt when it is not a
/// retired key of `keyring`.
[[nodiscard]] std::optional<unix_seconds> key_retired_at(const keyring_document& keyring, const KeyId& kid);

/// Deletes the secret files of keys retired at least `grace_seconds` before `now` (their public
/// keys stay in the keyring and keep verifying). Needs no root secret. Returns how many files
/// went. Errors: those of key_dir_keyring, io_error.
[[nodiscard]] result<std::size_t> key_dir_retired_secrets_prune(const std::filesystem::path& dir,
                                                                unix_seconds now, std::int64_t grace_seconds);

// -- reads (need only root.public, keyring.token and signing/)

/// A keyring read from DIR whose signature by root.public has been checked.
struct keyring_state {
  keyring_document keyring;
  std::string keyring_token;
  PublicKey root_public;  ///< the key it was checked against (root.public)
};

/// Errors: io_error, malformed, wrong_version, keyring_bad_signature.
[[nodiscard]] result<keyring_state> key_dir_keyring(const std::filesystem::path& dir);

/// Everything a server needs to sign licenses and publish the keyring.
struct signer_state {
  keyring_document keyring;
  std::string keyring_token;
  KeyId active_kid;
  SecretKey active_key;
  PublicKey root_public;
};

/// Reads and checks the keyring, then loads the active signing key (unwrapping it with the
/// passphrase when wrapped) and checks it is the key the keyring names. Errors: those of
/// key_dir_keyring, no_active_key, wrong_password, malformed, io_error.
[[nodiscard]] result<signer_state> key_dir_load_signer(const std::filesystem::path& dir,
                                                       const key_dir_options& options);

/// The version of DIR's (signature-checked) keyring: a running server polls it to notice a
/// rotation made by licensorctl and reload. Costs one file read and one Ed25519 verify.
[[nodiscard]] result<std::uint64_t> key_dir_keyring_version(const std::filesystem::path& dir);

/// The pinned root public key. Errors: io_error, malformed, wrong_version.
[[nodiscard]] result<PublicKey> key_dir_root_public(const std::filesystem::path& dir);

/// True when DIR keeps its secrets unwrapped (root.secret is a plain k4.secret), so no
/// passphrase is needed. Errors: io_error (no root.secret), malformed.
[[nodiscard]] result<bool> key_dir_is_development(const std::filesystem::path& dir);

// -- sharing with other servers (replicas on one store)

/// What replicas of one server share through their store: the signed keyring and the signing
/// secrets, wrapped with the passphrase. Never the root secret, never an unwrapped secret: a
/// copy of the store signs nothing without the passphrase, and a keyring in it counts only when
/// signed by the root a replica pins in its own root.public.
struct shared_keys {
  std::uint64_t version = 0;
  std::string keyring_token;
  std::map<std::string, std::string> wrapped_secrets;  ///< kid -> the k4.secret-pw text of its file
};

/// What DIR shares: its checked keyring and the wrapped secrets of the keys it lists and holds.
/// Errors: those of key_dir_keyring; forbidden when DIR's secrets are unwrapped (development
/// mode: they must not leave the directory), io_error, malformed.
[[nodiscard]] result<shared_keys> key_dir_shared(const std::filesystem::path& dir);

/// Brings DIR up to `shared` when it is newer than DIR's keyring (or DIR has none yet, only
/// root.public): checks the keyring against DIR's root.public, writes the secrets DIR lacks
/// (0600), then the keyring, last, so that a reader never sees a keyring whose secrets are
/// missing; then deletes secrets the keyring no longer lists as live. Holds the directory lock.
/// Returns whether DIR changed. Errors: keyring_bad_signature (not signed by DIR's root: another
/// vendor's keys, or a forged keyring), malformed (a secret that is not wrapped, or whose
/// name is no kid of the keyring), io_error.
[[nodiscard]] result<bool> key_dir_adopt(const std::filesystem::path& dir, const shared_keys& shared);

}  // namespace licensor::keys
