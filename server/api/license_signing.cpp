#include "api/license_signing.hpp"

#include <algorithm>

#include "api/api_types.hpp"
#include "api/service.hpp"
#include "store/schema.hpp"
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
  if (license.kind == "free") {
    const auto token_end = license.updated_at + free_token_lifetime_seconds;
    claims.exp = claims.exp ? std::min(*claims.exp, token_end) : token_end;
  }
  claims.product = license.product;
  claims.tier = license.tier;
  claims.kind = license_kind_parse(license.kind).ok() ? *license_kind_parse(license.kind) : license_kind::paid;
  claims.email = license.email;
  claims.seats = license.seats;
  claims.features = license.features;
  if (!license.min_version.empty()) claims.min_version = license.min_version;
  if (!license.fingerprint.empty()) claims.fingerprint = license.fingerprint;
  return claims;
}

void license_sign(license_record& license, const keys::signer_state& signer, std::string_view issuer) {
  const auto claims = license_claims_of(license, issuer);
  auto token = license_token_sign(claims, signer.active_key);
  if (!paseto_verify(token, signer.active_key.public_key(), license_assertion))
    api_fail(errc::internal, "a freshly signed token did not verify");
  license.token = std::move(token);
  license.kid = signer.active_kid.value;
  if (license.kind == "free" && claims.exp) license.token_expires_at = std::max(license.token_expires_at, *claims.exp);
}

bool free_token_renewal_due(const license_record& license, std::int64_t now) {
  return license.kind == "free" && license.token_expires_at - now < free_token_renew_within_seconds;
}

std::string token_index_entry(std::string_view license_id, std::string_view kid, std::string_view email) {
  std::string entry(license_id);
  entry += ' ';
  entry += kid;
  entry += ' ';
  entry += email;
  return entry;
}

token_index_fields token_index_parse(std::string_view entry) {
  const auto first = entry.find(' ');
  const auto second = entry.find(' ', first == std::string_view::npos ? entry.size() : first + 1);
  token_index_fields fields;
  fields.license_id = entry.substr(0, first);
  if (first != std::string_view::npos) fields.kid = entry.substr(first + 1, second - first - 1);
  if (second != std::string_view::npos) fields.email = entry.substr(second + 1);
  return fields;
}

void license_save(store::txn& write, const license_record& license) {
  record_put(write, store::db::licenses, license.id, license);
  store_check(write.put(store::db::token_hashes, hash_hex(license.token), token_index_entry(license.id, license.kid, license.email)));
}

}  // namespace licensor::server
