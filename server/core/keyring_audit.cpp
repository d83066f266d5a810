#include "core/keyring_audit.hpp"

#include "core/audit.hpp"
#include "core/events.hpp"
#include "core/refusal.hpp"

namespace licensor::server {

bool keyring_change_audit(store::write_view& write, const caller& who, std::string_view action,
                          std::string_view target, const keys::signer_state& signer, std::int64_t now,
                          nlohmann::json details) {
  const auto version = signer.keyring.version;
  if (must(write.keyring_audited_version()) >= version) return false;
  details["version"] = version;
  nlohmann::json revoked = nlohmann::json::array();
  for (const auto& kid : signer.keyring.revoked) revoked.push_back(kid.value);
  details["revoked"] = std::move(revoked);
  details["active_kid"] = signer.active_kid.value;
  // A revocation, or any other change of the keyring in force (a rotation by the API, or one
  // made with licensorctl that the keyring watch saw), is the vendor's own event.
  event_append(write, action == "keys.revoke" ? "key.revoked" : "key.rotated", "", "keyring",
               {{"kid", target}, {"version", version}, {"active_kid", details["active_kid"]}, {"revoked", details["revoked"]}}, now);
  audit_append(write, who, action, target, now, std::move(details));
  must(write.keyring_audited_version_set(version));
  return true;
}

void keyring_audit_baseline(store::write_view& write, std::uint64_t version) {
  if (must(write.keyring_audited_version()) == 0) must(write.keyring_audited_version_set(version));
}

}  // namespace licensor::server
