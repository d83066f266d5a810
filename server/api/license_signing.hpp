// Turning a license record into a signed token. Every token is verified once with the public
// key before it leaves the server, so a signing fault can never ship a broken license.
#pragma once

#include <string>

#include "domain/records.hpp"
#include "store/lmdb.hpp"
#include "licensor/claims.hpp"
#include "licensor/keys/key_dir.hpp"

namespace licensor::server {

[[nodiscard]] license_claims license_claims_of(const license_record& license, std::string_view issuer);

/// Signs `license` with the active key and stores the token and kid in it.
/// Throws api_error(internal) if the fresh token does not verify.
void license_sign(license_record& license, const keys::signer_state& signer, std::string_view issuer);

/// The token index's value: "<license id> <kid>" (plain text: validate reads it on every call).
[[nodiscard]] std::string token_index_entry(std::string_view license_id, std::string_view kid);

/// Stores `license` and indexes its current token (hash -> license and kid) so validate can
/// find it without a signature check. Earlier tokens stay indexed: they remain answerable.
void license_save(store::txn& write, const license_record& license);

}  // namespace licensor::server
