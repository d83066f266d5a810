// The Argon2id cost licensorctl wraps new secret keys with. Defined once per binary:
// kdf_limits.cpp (licensorctl: libsodium's moderate limits) or, in the test-only
// licensorctl_cheap_kdf build, tests/keys/cheap_kdf_limits.cpp.
#pragma once

#include "licensor/paserk.hpp"

namespace licensor::cli {

[[nodiscard]] pbkw_limits cli_kdf_limits() noexcept;

}  // namespace licensor::cli
