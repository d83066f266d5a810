// The offline license verifier that applications embed (DESIGN.md sections 2 and 3).
//
// An app pins the root public key(s) at build time, loads a keyring token signed by a root,
// then verifies license tokens against it with no network. Order of checks, first failure wins:
// token shape, key id (unknown, revoked), signature, claims shape, clock rollback, nbf, exp,
// product, email, app version, fingerprint.
//
// Thread safety: a license_verifier is a plain value. verify() is const and may run
// concurrently from any number of threads; load_keyring() mutates and must not run
// concurrently with anything else on the same object. Nothing here throws, prints or reads
// the clock, a file or the network: the caller passes `now` and persists the in/out counters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "licensor/claims.hpp"
#include "licensor/key_types.hpp"
#include "licensor/license_token.hpp"
#include "licensor/result.hpp"
#include "licensor/rfc3339.hpp"
#include "licensor/verify_export.h"

namespace licensor {

enum class verify_status {
  valid,                  ///< every check passed
  valid_in_grace,         ///< expired, but within ctx.grace_seconds after exp (+ leeway)
  malformed,              ///< not a v4.public token, bad footer, or bad claims JSON
  unknown_key,            ///< the kid is not in the loaded keyring (or no keyring is loaded)
  revoked_key,            ///< the keyring lists the kid as revoked, whatever the token's iat
  bad_signature,          ///< the Ed25519 signature does not verify (or another document kind)
  not_yet_valid,          ///< now < nbf - leeway
  expired,                ///< now > exp + leeway + grace
  wrong_product,          ///< the license is for another product
  email_mismatch,         ///< the license is bound to another email
  version_not_covered,    ///< app_version outside min_version..max_version (or unparsable)
  fingerprint_mismatch,   ///< bound to another machine, or bound and no fingerprint given
  clock_tampered,         ///< now < last_trusted_time - leeway: the clock went back
  keyring_bad_signature,  ///< the keyring was not signed by any pinned root
  keyring_rollback,       ///< the keyring version is lower than the highest already seen
};

/// The enumerator's name in snake_case ("valid_in_grace"); "unknown" for an out-of-range value.
[[nodiscard]] LICENSOR_VERIFY_API std::string_view verify_status_name(
    verify_status status) noexcept;

/// What the application knows about itself and the moment of the check.
/// Parses a pinned root key given as PASERK "k4.public.…" (how apps embed it).
/// Errors: wrong_version (not k4.public), malformed.
[[nodiscard]] LICENSOR_VERIFY_API result<PublicKey> pinned_root_parse(std::string_view k4_public);

struct verify_context {
  unix_seconds now = 0;
  std::string product;            ///< required: the product id the license must name
  std::string app_version;        ///< empty: version not checked
  std::string expected_email;     ///< empty: not checked; compared after email_normalise
  std::string fingerprint;        ///< empty: not checked against an unbound token; a bound
                                  ///< token then fails with fingerprint_mismatch
  std::int64_t leeway_seconds = 60;  ///< clock skew tolerated on nbf, exp and clock rollback;
                                     ///< negative counts as 0
  std::int64_t grace_seconds = 0;    ///< after exp + leeway, valid_in_grace for this long;
                                     ///< negative counts as 0
};

struct verify_outcome {
  verify_status status = verify_status::malformed;
  license_claims claims;  ///< filled only when status is valid or valid_in_grace
  KeyId kid;              ///< the (untrusted until valid) kid the token named, when it had one
};

class LICENSOR_VERIFY_API license_verifier {
 public:
  /// `pinned_roots`: the root public keys compiled into the app; any one may sign a keyring.
  explicit license_verifier(std::vector<PublicKey> pinned_roots);

  /// Verifies a keyring token against the pinned roots and, on success, replaces the loaded
  /// keyring. `highest_seen_version` is in/out caller storage (persist it): a keyring whose
  /// version is lower is refused; an equal one is accepted (the same keyring fetched again:
  /// this is safe because every change licensorctl or licensord makes to a keyring raises its
  /// version, so two different keyrings never share one); on success it becomes the version.
  /// Retired keys stay in the keyring and verify any token they signed, whatever its iat: a
  /// retired key signs nothing new (its secret is deleted after a grace period), and a key
  /// that must stop verifying is revoked, not retired.
  /// Returns valid, malformed, keyring_bad_signature or keyring_rollback. On failure the
  /// previously loaded keyring (if any) and highest_seen_version are unchanged. Memory
  /// exhaustion fails closed as malformed.
  [[nodiscard]] verify_status load_keyring(std::string_view keyring_token,
                                           std::uint64_t& highest_seen_version) noexcept;

  /// Verifies a license token offline. `last_trusted_time` is in/out caller storage for clock
  /// rollback detection (persist it): when ctx.now < last_trusted_time - leeway the result is
  /// clock_tampered and it is left unchanged; after a valid or valid_in_grace result it becomes
  /// max(last_trusted_time, now). The token's iat does not move it (a server clock ahead of the
  /// app's would cause a false clock_tampered later). Other failures leave it unchanged.
  /// With no keyring loaded every token is unknown_key. Memory exhaustion fails closed as
  /// malformed (the outcome then carries no claims).
  [[nodiscard]] verify_outcome verify(std::string_view license_token, const verify_context& ctx,
                                      unix_seconds& last_trusted_time) const noexcept;

  /// Version of the loaded keyring; 0 when none is loaded.
  [[nodiscard]] std::uint64_t keyring_version() const noexcept { return keyring_version_; }

 private:
  std::vector<PublicKey> pinned_roots_;
  // Built once per keyring so verify() costs one hash lookup, not a scan of the key list.
  license_keys keys_;
  std::uint64_t keyring_version_ = 0;
};

}  // namespace licensor
