// PASERK k4 key serialisation: k4.public, k4.secret, k4.pid (the key id), k4.sid and
// k4.secret-pw (a secret key wrapped with a passphrase: Argon2id, XChaCha20, BLAKE2b-MAC).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "licensor/key_types.hpp"
#include "licensor/result.hpp"

namespace licensor {

/// Raw bytes to keys. Errors: malformed (wrong length; for a secret key, a public half that
/// does not belong to the seed).
[[nodiscard]] result<PublicKey> public_key_from_bytes(std::span<const std::uint8_t> bytes);
[[nodiscard]] result<SecretKey> secret_key_from_bytes(std::span<const std::uint8_t> bytes);

[[nodiscard]] std::string paserk_public(const PublicKey& key);
/// Errors: wrong_version (not "k4.public."), malformed.
[[nodiscard]] result<PublicKey> paserk_public_parse(std::string_view text);

/// The unwrapped secret key. Development use only: prefer paserk_secret_pw_wrap at rest.
[[nodiscard]] std::string paserk_secret(const SecretKey& key);
/// Errors: wrong_version (not "k4.secret."), malformed.
[[nodiscard]] result<SecretKey> paserk_secret_parse(std::string_view text);

/// The key id of a public key: "k4.pid." + base64url(BLAKE2b-264("k4.pid." + paserk_public)).
[[nodiscard]] KeyId paserk_pid(const PublicKey& key);
/// The key id of a secret key (k4.sid), same construction over its k4.secret form.
[[nodiscard]] std::string paserk_sid(const SecretKey& key);
/// True when `text` has the shape of a k4.pid (prefix and 33 bytes of strict base64url).
[[nodiscard]] bool paserk_pid_well_formed(std::string_view text);

/// Argon2id cost of a wrapped key. Defaults are libsodium's "moderate" limits.
struct pbkw_limits {
  std::uint64_t memlimit_bytes = 256ull * 1024 * 1024;
  std::uint32_t opslimit = 3;
};

/// Wraps a secret key with a passphrase (PASERK PBKW, k4.secret-pw).
/// Errors: internal (Argon2id could not get its memory).
[[nodiscard]] result<std::string> paserk_secret_pw_wrap(const SecretKey& key, std::string_view password,
                                                pbkw_limits limits = {});
/// Unwraps a k4.secret-pw. Errors: wrong_version, malformed (including absurd Argon2id
/// limits, refused before any work), wrong_password (bad tag: wrong passphrase or tampering).
[[nodiscard]] result<SecretKey> paserk_secret_pw_unwrap(std::string_view text,
                                                        std::string_view password);

}  // namespace licensor
