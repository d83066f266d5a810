// What the store keeps of key operations: the audit of each keyring version (core/keyring_audit)
// and, after a revocation, the re-signing of every license the revoked key signed. Re-signing
// runs in batches (up to resign_batch_size licenses per store job, signed off the writer), so
// the writer is never held for long; the store's task says it is unfinished, so it resumes
// after a restart.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/caller.hpp"
#include "core/license_tokens.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// How many licenses one re-signing batch re-signs.
inline constexpr std::size_t resign_batch_size = 256;

/// Records a revocation made on the key dir: its audit entry (once per keyring version) and the
/// task of re-signing the licenses of `kid` (kept until the last batch ran).
void key_revocation_record(store::write_view& write, const caller& who, const std::string& kid,
                           const keys::signer_state& signer, std::int64_t now);

/// What one batch re-signed.
struct resign_progress {
  std::size_t resigned = 0;
  bool complete = false;  ///< no license of the key is left: the task ended
};

/// Re-signs, in one job, up to resign_batch_size licenses still signed by `kid` with the active
/// key, and counts them in the task (ending it when none is left).
resign_progress resign_batch_apply(store::write_view& write, const std::string& kid, const signing& with,
                                   std::int64_t now);

}  // namespace licensor::server
