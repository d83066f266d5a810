#include "api/keyring_audit.hpp"

#include <charconv>

#include "store/schema.hpp"

namespace licensor::server {
namespace {

constexpr std::string_view audited_key = "keyring_audited_version";

std::uint64_t audited_version(const store::txn& write) {
  auto stored = write.get(store::db::meta, audited_key);
  if (!stored) api_fail(stored.error());
  std::uint64_t version = 0;
  if (*stored) std::from_chars((*stored)->data(), (*stored)->data() + (*stored)->size(), version);
  return version;
}

}  // namespace

bool keyring_change_audit(const service& svc, store::txn& write, const caller& who, std::string_view action,
                          std::string_view target, const keys::signer_state& signer, nlohmann::json details) {
  const auto version = signer.keyring.version;
  if (audited_version(write) >= version) return false;
  details["version"] = version;
  nlohmann::json revoked = nlohmann::json::array();
  for (const auto& kid : signer.keyring.revoked) revoked.push_back(kid.value);
  details["revoked"] = std::move(revoked);
  details["active_kid"] = signer.active_kid.value;
  svc.audit_append(write, who, action, target, std::move(details));
  store_check(write.put(store::db::meta, audited_key, std::to_string(version)));
  return true;
}

void keyring_audit_baseline(store::txn& write, std::uint64_t version) {
  if (audited_version(write) == 0) store_check(write.put(store::db::meta, audited_key, std::to_string(version)));
}

}  // namespace licensor::server
