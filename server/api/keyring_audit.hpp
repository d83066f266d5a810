// Every keyring version is audited exactly once, whoever made it: an operator through the API
// (keys.rotate, keys.revoke, with the operator as actor) or licensorctl on the key dir (noticed
// by the server's keyring watch, keys.keyring_changed). The audit follows the result on disk,
// so a change whose API commit failed is still recorded, and a retried request is not recorded
// twice.
#pragma once

#include <string_view>

#include "api/service.hpp"

namespace licensor::server {

/// Appends `action` on `target` by `who` for `signer`'s keyring version if no entry recorded
/// that version yet, and remembers the version. Returns whether it appended.
/// Throws api_error on storage errors.
bool keyring_change_audit(const service& svc, store::txn& write, const caller& who, std::string_view action,
                          std::string_view target, const keys::signer_state& signer,
                          nlohmann::json details = nlohmann::json::object());

/// Records the current version as audited without an entry (the keyring a store starts with,
/// or the one in force when this store was upgraded). Throws api_error on storage errors.
void keyring_audit_baseline(store::txn& write, std::uint64_t version);

}  // namespace licensor::server
