// Where a licensorctl command gets the passphrase that wraps and unwraps secret keys: the
// environment variable named by --passphrase-env (LICENSOR_PASSPHRASE unless told otherwise;
// licensord reads the same variable), else a no-echo prompt on the controlling terminal.
#pragma once

#include <string>
#include <string_view>

#include "licensor/result.hpp"

namespace licensor::cli {

inline constexpr std::string_view default_passphrase_env = "LICENSOR_PASSPHRASE";

/// The passphrase from `env_name` if set and non-empty, else typed on /dev/tty (twice when
/// `confirm`, for a new key). Errors: bad_request (no such variable and no terminal, or an
/// empty passphrase typed), wrong_password (the two typed passphrases differ).
[[nodiscard]] result<std::string> passphrase_read(std::string_view env_name, bool confirm);

}  // namespace licensor::cli
