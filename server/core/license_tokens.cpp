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
  return claims;
}

std::optional<std::string> presigned_tokens::find(const std::string& claims_json) const {
  std::lock_guard lock(mutex_);
  const auto it = tokens_.find(claims_json);
  if (it == tokens_.end()) return std::nullopt;
  return it->second;
}

void presigned_tokens::missing_add(std::string claims_json) {
  std::lock_guard lock(mutex_);
  missing_.push_back(std::move(claims_json));
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
  std::vector<std::string> wanted;
  {
    std::lock_guard lock(mutex_);
    wanted.swap(missing_);
  }
  for (const auto& claims_json : wanted) {
    auto token = signed_document_sign(signer.active_key, claims_json, license_assertion);
    if (!paseto_verify(token, signer.active_key.public_key(), license_assertion))
      refuse(errc::internal, "a freshly signed token did not verify");
    std::lock_guard lock(mutex_);
    tokens_.emplace(claims_json, std::move(token));
  }
  return wanted.size();
}

void license_sign(license_record& license, const signing& with) {
  const auto claims = license_claims_of(license, with.issuer);
  auto claims_json = claims_to_json(claims);
  auto token = with.presigned->find(claims_json);
  if (!token) {
    // Distinct per claims, so indexes built from it in this (rolled back) run do not collide.
    token = "unsigned:" + claims_json;
    with.presigned->missing_add(std::move(claims_json));
  }
  license.token = std::move(*token);
  license.kid = with.signer->active_kid.value;
  if (license.kind == license_kind::free && claims.exp) license.token_expires_at = std::max(license.token_expires_at, *claims.exp);
}

void license_presign(const license_record& license, const signing& with) {
  with.presigned->missing_add(claims_to_json(license_claims_of(license, with.issuer)));
  (void)with.presigned->presign(*with.signer);
}

bool free_token_renewal_due(const license_record& license, std::int64_t now) {
  return license.kind == license_kind::free && license.token_expires_at - now < free_token_renew_within_seconds;
}

}  // namespace licensor::server
