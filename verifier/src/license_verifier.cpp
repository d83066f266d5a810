#include <algorithm>
#include <limits>
#include <utility>

#include "licensor/app_version.hpp"
#include "licensor/email.hpp"
#include "licensor/keyring_document.hpp"
#include "licensor/paserk.hpp"
#include "licensor/license_token.hpp"
#include "licensor/verifier.hpp"

namespace licensor {
namespace {

using time_limits = std::numeric_limits<std::int64_t>;

// Times come from signed tokens and from the caller; saturate so a token claiming year 9999
// or an absurd leeway cannot wrap around and turn "expired" into "valid".
std::int64_t saturating_add(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? time_limits::max() : time_limits::min();
}

std::int64_t saturating_sub(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t difference = 0;
  if (!__builtin_sub_overflow(a, b, &difference)) return difference;
  return b > 0 ? time_limits::min() : time_limits::max();
}

bool emails_match(std::string_view expected, std::string_view in_token) {
  const auto want = email_normalise(expected);
  const auto have = email_normalise(in_token);
  return want && have && *want == *have;
}

// An unparsable version on either side is "not covered": fail closed.
bool version_covered(const license_claims& claims, std::string_view app_version) {
  if (claims.min_version) {
    const auto order = app_version_compare(app_version, *claims.min_version);
    if (!order || *order < 0) return false;
  }
  if (claims.max_version) {
    const auto order = app_version_compare(app_version, *claims.max_version);
    if (!order || *order > 0) return false;
  }
  return true;
}

// The checks after the signature, in the documented order. Returns valid, valid_in_grace or
// the first failure.
verify_status check_claims(const license_claims& claims, const verify_context& ctx,
                           unix_seconds last_trusted_time) {
  const auto leeway = std::max<std::int64_t>(ctx.leeway_seconds, 0);
  const auto grace = std::max<std::int64_t>(ctx.grace_seconds, 0);
  if (ctx.now < saturating_sub(last_trusted_time, leeway)) return verify_status::clock_tampered;
  if (ctx.now < saturating_sub(claims.nbf, leeway)) return verify_status::not_yet_valid;
  auto in_time = verify_status::valid;
  if (claims.exp) {
    const auto valid_until = saturating_add(*claims.exp, leeway);
    if (ctx.now > valid_until) {
      if (ctx.now > saturating_add(valid_until, grace)) return verify_status::expired;
      in_time = verify_status::valid_in_grace;
    }
  }
  if (claims.product != ctx.product) return verify_status::wrong_product;
  if (!ctx.expected_email.empty() && !emails_match(ctx.expected_email, claims.email))
    return verify_status::email_mismatch;
  if (!ctx.app_version.empty() && !version_covered(claims, ctx.app_version))
    return verify_status::version_not_covered;
  if (claims.fingerprint && *claims.fingerprint != ctx.fingerprint)
    return verify_status::fingerprint_mismatch;
  return in_time;
}

}  // namespace

result<PublicKey> pinned_root_parse(std::string_view k4_public) {
  try {
    return paserk_public_parse(k4_public);
  } catch (...) {  // only allocation can throw here; the API promises no exceptions
    return errc::internal;
  }
}

license_verifier::license_verifier(std::vector<PublicKey> pinned_roots)
    : pinned_roots_(std::move(pinned_roots)) {}

verify_status license_verifier::load_keyring(std::string_view keyring_token,
                                             std::uint64_t& highest_seen_version) noexcept {
  try {
    auto keyring = keyring_verify(keyring_token, pinned_roots_);
    if (!keyring) {
      return keyring.error() == errc::keyring_bad_signature ? verify_status::keyring_bad_signature
                                                            : verify_status::malformed;
    }
    if (keyring->version < highest_seen_version) return verify_status::keyring_rollback;

    keys_ = license_keys(*keyring);
    keyring_version_ = keyring->version;
    highest_seen_version = keyring->version;
    return verify_status::valid;
  } catch (...) {  // allocation failure: keep the old keyring, fail closed
    return verify_status::malformed;
  }
}

verify_outcome license_verifier::verify(std::string_view license_token, const verify_context& ctx,
                                        unix_seconds& last_trusted_time) const noexcept {
  verify_outcome out;
  try {
    auto opened = license_token_open(license_token, keys_, &out.kid);
    if (!opened) {
      switch (opened.error()) {
        case errc::revoked_key: out.status = verify_status::revoked_key; break;
        case errc::unknown_key: out.status = verify_status::unknown_key; break;
        case errc::bad_signature: out.status = verify_status::bad_signature; break;
        default: break;  // status is already malformed
      }
      return out;
    }
    auto& claims = opened->claims;
    out.status = check_claims(claims, ctx, last_trusted_time);
    if (out.status != verify_status::valid && out.status != verify_status::valid_in_grace)
      return out;
    // Only the app's own clock moves it: a token issued by a server whose clock is ahead (iat
    // after now) must not make the next check, at the correct time, look like a rollback.
    last_trusted_time = std::max(last_trusted_time, ctx.now);
    out.claims = std::move(claims);
    return out;
  } catch (...) {  // allocation failure: fail closed
    out.status = verify_status::malformed;
    out.claims = {};
    return out;
  }
}

}  // namespace licensor
