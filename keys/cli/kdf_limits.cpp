#include "kdf_limits.hpp"

namespace licensor::cli {

// Strong by default; there is deliberately no switch to weaken it in this binary.
pbkw_limits cli_kdf_limits() noexcept { return {}; }

}  // namespace licensor::cli
