// Turning a license record into a signed token. Every token is verified once with the public
// key before it leaves the server, so a signing fault can never ship a broken license.
//
// No Ed25519 on the store's writer: a write job never signs. It asks for the token of the
// claims it needs (license_sign); the first time, the token is not there yet, so the job notes
// the claims and goes on with a placeholder, so one run lists every token it needs (a renewal
// with its add-ons, a re-sign batch). Such a run must not commit (core/signed_commit.hpp rolls
// it back); whoever submitted it signs the listed claims on its own thread (presign) and runs
// the job again, which now finds them all. Jobs are deterministic (they capture `now` and the
// keys), so the second run asks for the same claims unless the store changed in between, in
// which case the round repeats.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "domain/records.hpp"
#include "licensor/claims.hpp"
#include "licensor/keys/key_dir.hpp"

namespace licensor::server {

/// A free license is perpetual, its tokens are not: each expires this long after it is signed
/// (or at the license's own expiry, if sooner), and the app renews it online (POST
/// /v1/activate). So the free-license cap and "one free per customer" bound the valid tokens,
/// not only the stored licenses (core/free_slots.hpp).
inline constexpr std::int64_t free_token_lifetime_seconds = 30 * 86'400;
/// Activation re-signs a free license's token when less than this is left of it.
inline constexpr std::int64_t free_token_renew_within_seconds = 15 * 86'400;

/// Tokens signed ahead for a write job, and the claims it asked for that were missing.
/// Thread safety: every member function may be called from any thread.
class presigned_tokens {
 public:
  /// The token signed for exactly these claims, if presign made it.
  [[nodiscard]] std::optional<std::string> find(const license_claims& claims) const;
  /// Records claims a job needed and did not find (once, however often a job run asks).
  void missing_add(const license_claims& claims);
  /// Signs (and verifies) every missing claims set with `signer`'s active key and clears the
  /// missing list; returns how many it signed. Throws refusal(internal) if a token does not verify.
  std::size_t presign(const keys::signer_state& signer);
  [[nodiscard]] bool has_missing() const;
  /// Forgets the missing claims of a run that failed for another reason.
  void missing_clear();

 private:
  struct signed_claims {
    license_claims claims;
    std::string token;
  };
  mutable std::mutex mutex_;
  // By license id (claims.sub), then compared whole: a job looks its tokens up on the writer,
  // so the lookup must not serialise the claims.
  std::multimap<std::string, signed_claims, std::less<>> tokens_;
  std::vector<license_claims> missing_;
};

/// What a change signs with: the keys in force when the request arrived, the issuer, and the
/// tokens signed ahead for it. Taken outside any write job and copied into it (all attempts of
/// one job share `presigned`).
struct signing {
  std::shared_ptr<const keys::signer_state> signer;
  std::string issuer;
  std::shared_ptr<presigned_tokens> presigned = std::make_shared<presigned_tokens>();
};

/// The claims of `license`'s next token, signed at license.updated_at. A license with a
/// compliance finding gets its rules as `notice` and an `exp` no later than the deadline.
[[nodiscard]] license_claims license_claims_of(const license_record& license, std::string_view issuer);

/// True when `license` is free and its current token should be renewed at `now`.
[[nodiscard]] bool free_token_renewal_due(const license_record& license, std::int64_t now);

/// Gives `license` the token of its claims, signed by the active key, and its kid; for a free
/// license also raises token_expires_at to the new token's expiry. Takes the token from
/// with.presigned; when it is not there, records the claims as missing and gives a placeholder
/// that no verifier accepts (the run is then rolled back and re-run once they are signed).
void license_sign(license_record& license, const signing& with);

/// Signs `license`'s claims into with.presigned now, on the calling thread (never the writer):
/// for a change that knows its token before it submits (issuance). Throws refusal(internal).
void license_presign(const license_record& license, const signing& with);

}  // namespace licensor::server
