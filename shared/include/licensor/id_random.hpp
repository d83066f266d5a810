// Random bytes for identifiers (request ids, record ids), drawn from the system a kilobyte at a
// time into a pool of the calling thread: one getrandom() call per id was 3% of a validation's
// time, and 4% of the store writer's in an issuance. Not for secrets (keys, activation keys,
// passwords' salts): a secret should not wait in memory before it is used. A process that forks
// without exec would share its pools' remaining bytes with the child; licensord does not.
#pragma once

#include <span>

namespace licensor {

/// Fills `out` with random bytes for an identifier.
void id_random_bytes(std::span<unsigned char> out) noexcept;

}  // namespace licensor
