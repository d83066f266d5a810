// API keys: machine credentials of an organisation (the operators or one partner), each with a
// role from domain/permissions.hpp, a name, an optional expiry and its last use. Only a hash of
// the secret is stored (domain/secret_hash.hpp); the secret is shown once, when it is made.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/caller.hpp"
#include "domain/records.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// What a new key should be: for the partner `partner_id` (empty: an operator key), with
/// `role` (empty: the organisation's default, api_key_role_default).
struct api_key_order {
  std::string partner_id;
  std::string role;
  std::string name;
  std::int64_t expires_at = 0;
};

/// A new key record (id, role resolved) for `order`, made by `who` at `now`. Throws
/// bad_request (a role of another organisation kind, an expiry in the past) and forbidden
/// (an operator key asked by a caller without operator_users_manage).
[[nodiscard]] api_key_record api_key_prepare(const caller& who, const api_key_order& order, std::int64_t now);

/// Stores `key` under the hash of its secret. Throws partner_not_found.
void api_key_create(store::write_view& write, const caller& who, const api_key_record& key, const std::string& secret_hash,
                    std::int64_t now);

/// Revokes the key `key_id` of the organisation `partner_id` (empty: the operators'). Throws
/// not_found (also for another organisation's key), forbidden (an operator key, by a caller
/// without operator_users_manage).
[[nodiscard]] api_key_record api_key_revoke(store::write_view& write, const caller& who, const std::string& partner_id,
                                            const std::string& key_id, std::int64_t now);

/// The organisation's keys (`partner_id`; empty: the operators'). Store errors.
[[nodiscard]] std::vector<api_key_record> api_keys_of(const store::read_view& view, const std::string& partner_id);

/// The organisation whose keys `who` manages through /v1/api-keys: its own partner, or for an
/// operator the operators (empty). Throws forbidden for anyone else.
[[nodiscard]] std::string api_key_owner_of(const caller& who);

}  // namespace licensor::server
