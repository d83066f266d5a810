// The Argon2id cost of licensorctl_cheap_kdf, the test-only build of licensorctl: libsodium's
// minimum, so the end-to-end test wraps and unwraps keys in microseconds. Never installed;
// the shipped licensorctl has no way to weaken its cost (keys/cli/kdf_limits.cpp).
#include <sodium.h>

#include "kdf_limits.hpp"

namespace licensor::cli {

pbkw_limits cli_kdf_limits() noexcept { return {crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_OPSLIMIT_MIN}; }

}  // namespace licensor::cli
