#include "core/license_tokens.hpp"

#include <algorithm>

#include "core/refusal.hpp"
#include "licensor/paseto.hpp"
#include "licensor/signed_document.hpp"

namespace licensor::server {

license_claims license_claims_of(const license_record& license, std::string_view issuer) {
  license_claims claims;
  claims.iss = issuer;
  claims.sub = license.id;
  claims.iat = license.updated_at;
  claims.nbf = license.issued_at;
  if (license.expires_at != 0) claims.exp = license.expires_at;
  if (license.kind == license_kind::free) {
    const auto token_end = license.updated_at + free_token_lifetime_seconds;
    claims.exp = claims.exp ? std::min(*claims.exp, token_end) : token_end;
  }
  claims.product = license.product;
  claims.tier = license.tier;
  claims.kind = license.kind;
  claims.email = license.email;
  claims.seats = license.seats;
  claims.features = license.features;
  if (!license.min_version.empty()) claims.min_version = license.min_version;
  if (!license.fingerprint.empty()) claims.fingerprint = license.fingerprint;
  if (license.compliance.flagged()) {
    // An app offline shows the notices, and stops at the deadline unless the registration is fixed.
    claims.notices = license.compliance.rules;
    claims.exp = claims.exp ? std::min(*claims.exp, license.compliance.deadline) : license.compliance.deadline;
  }
  return claims;
}

std::optional<std::string> presigned_tokens::find(const license_claims& claims) const {
  std::lock_guard lock(mutex_);
  const auto [first, last] = tokens_.equal_range(claims.sub);
  for (auto it = first; it != last; ++it) {
    if (it->second.claims == claims) return it->second.token;
  }
  return std::nullopt;
}

void presigned_tokens::missing_add(const license_claims& claims) {
  std::lock_guard lock(mutex_);
  // A job run twice (store/store.hpp) asks twice; sign once.
  if (std::find(missing_.begin(), missing_.end(), claims) == missing_.end()) missing_.push_back(claims);
}

bool presigned_tokens::has_missing() const {
  std::lock_guard lock(mutex_);
  return !missing_.empty();
}

void presigned_tokens::missing_clear() {
  std::lock_guard lock(mutex_);
  missing_.clear();
}

std::size_t presigned_tokens::presign(const keys::signer_state& signer) {
  std::vector<license_claims> wanted;
  {
    std::lock_guard lock(mutex_);
    wanted.swap(missing_);
  }
  for (auto& claims : wanted) {
    auto token = signed_document_sign(signer.active_key, claims_to_json(claims), license_assertion);
    if (!paseto_verify(token, signer.active_key.public_key(), license_assertion))
      refuse(errc::internal, "a freshly signed token did not verify");
    std::lock_guard lock(mutex_);
    auto sub = claims.sub;
    tokens_.emplace(std::move(sub), signed_claims{std::move(claims), std::move(token)});
  }
  return wanted.size();
}

void license_sign(license_record& license, const signing& with) {
  const auto claims = license_claims_of(license, with.issuer);
  auto token = with.presigned->find(claims);
  if (!token) {
    // Distinct per claims, so indexes built from it in this (rolled back) run do not collide.
    token = "unsigned:" + claims_to_json(claims);
    with.presigned->missing_add(claims);
  }
  license.token = std::move(*token);
  license.kid = with.signer->active_kid.value;
  if (license.kind == license_kind::free && claims.exp) license.token_expires_at = std::max(license.token_expires_at, *claims.exp);
}

void license_presign(const license_record& license, const signing& with) {
  with.presigned->missing_add(license_claims_of(license, with.issuer));
  (void)with.presigned->presign(*with.signer);
}

bool free_token_renewal_due(const license_record& license, std::int64_t now) {
  return license.kind == license_kind::free && license.token_expires_at - now < free_token_renew_within_seconds;
}

}  // namespace licensor::server
