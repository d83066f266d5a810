// Turning a license record into a signed token. Every token is verified once with the public
// key before it leaves the server, so a signing fault can never ship a broken license.
#pragma once

#include <string>

#include "domain/records.hpp"
#include "store/lmdb.hpp"
#include "licensor/claims.hpp"
#include "licensor/keys/key_dir.hpp"

namespace licensor::server {

/// A free license is perpetual, its tokens are not: each expires this long after it is signed
/// (or at the license's own expiry, if sooner), and the app renews it online (POST
/// /v1/activate). So the free-license cap and "one free per customer" bound the valid tokens,
/// not only the stored licenses (api/free_slots.hpp).
inline constexpr std::int64_t free_token_lifetime_seconds = 30 * 86'400;
/// Activation re-signs a free license's token when less than this is left of it.
inline constexpr std::int64_t free_token_renew_within_seconds = 15 * 86'400;

/// The claims of `license`'s next token, signed at license.updated_at.
[[nodiscard]] license_claims license_claims_of(const license_record& license, std::string_view issuer);

/// True when `license` is free and its current token should be renewed at `now`.
[[nodiscard]] bool free_token_renewal_due(const license_record& license, std::int64_t now);

/// Signs `license` with the active key and stores the token and kid in it; for a free license
/// also raises token_expires_at to the new token's expiry.
/// Throws api_error(internal) if the fresh token does not verify.
void license_sign(license_record& license, const keys::signer_state& signer, std::string_view issuer);

/// The token index's value: "<license id> <kid> <email the token is bound to>" (plain text:
/// validate reads it on every call). Ids, kids and normalised emails never contain spaces.
[[nodiscard]] std::string token_index_entry(std::string_view license_id, std::string_view kid, std::string_view email);

struct token_index_fields {
  std::string license_id, kid, email;
};
[[nodiscard]] token_index_fields token_index_parse(std::string_view entry);

/// Stores `license` and indexes its current token (hash -> license and kid) so validate can
/// find it without a signature check. Earlier tokens stay indexed: they remain answerable.
void license_save(store::txn& write, const license_record& license);

}  // namespace licensor::server
