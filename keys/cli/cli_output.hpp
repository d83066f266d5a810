// What a licensorctl command hands back to main(), the only place that prints and exits.
#pragma once

#include <string>
#include <string_view>

#include "licensor/error.hpp"

namespace licensor::cli {

struct cli_output {
  int exit_code = 0;
  std::string out;  ///< for stdout
  std::string err;  ///< for stderr: warnings, and the one error line on failure
};

/// Exit status for a snake_case code (an errc code or a verify_status name); see
/// exit_code_table() for the mapping.
[[nodiscard]] int exit_code_for(std::string_view code) noexcept;

/// The mapping as help text, one line per exit status.
[[nodiscard]] std::string exit_code_table();

/// A failure: the exit status of `code` and "licensorctl: error: <code>: <message>".
[[nodiscard]] cli_output cli_fail(std::string_view code, std::string_view message);
[[nodiscard]] cli_output cli_fail(errc code, std::string_view message);

}  // namespace licensor::cli
