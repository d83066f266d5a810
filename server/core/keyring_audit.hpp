// Every keyring version is audited exactly once, whoever made it: an operator through the API
// (keys.rotate, keys.revoke, with the operator as actor) or licensorctl on the key dir (noticed
// by the keyring watch, keys.keyring_changed). The audit follows the result on disk, so a change
// whose API commit failed is still recorded, and a retried request is not recorded twice.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string_view>

#include "core/caller.hpp"
#include "licensor/keys/key_dir.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// Appends `action` on `target` by `who` for `signer`'s keyring version if no entry recorded
/// that version yet, and remembers the version. Returns whether it appended.
/// Throws refusal on storage errors.
bool keyring_change_audit(store::write_view& write, const caller& who, std::string_view action,
                          std::string_view target, const keys::signer_state& signer, std::int64_t now,
                          nlohmann::json details = nlohmann::json::object());

/// Records the current version as audited without an entry (the keyring a store starts with,
/// or the one in force when this store was upgraded). Throws refusal on storage errors.
void keyring_audit_baseline(store::write_view& write, std::uint64_t version);

}  // namespace licensor::server
