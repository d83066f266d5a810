#include "core/keys.hpp"

#include "core/keyring_audit.hpp"
#include "core/refusal.hpp"

namespace licensor::server {

void key_revocation_record(store::write_view& write, const caller& who, const std::string& kid,
                           const keys::signer_state& signer, std::int64_t now) {
  (void)keyring_change_audit(write, who, "keys.revoke", kid, signer, now);
  // A second revocation of the same kid (a retry) starts its re-signing over: harmless, it only
  // finds what is left.
  must(write.resign_task_put({kid, 0, now}));
}

resign_progress resign_batch_apply(store::write_view& write, const std::string& kid, const signing& with,
                                   std::int64_t now) {
  resign_progress progress;
  // Re-signed licenses leave the key's index, so each batch takes the first ones left.
  const auto ids = must(write.licenses_signed_by(kid, resign_batch_size));
  for (const auto& id : ids) {
    auto license = found(write.license_get(id), errc::internal);
    license.updated_at = now;
    license_sign(license, with);
    must(write.license_put(license));
    ++progress.resigned;
  }
  progress.complete = ids.size() < resign_batch_size;
  for (auto task : must(write.resign_tasks())) {
    if (task.kid != kid) continue;
    task.licenses_resigned += progress.resigned;
    must(progress.complete ? write.resign_task_erase(kid) : write.resign_task_put(task));
  }
  return progress;
}

}  // namespace licensor::server
