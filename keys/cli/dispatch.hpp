// From argv to a command's output: finds the command, parses its options, answers --help.
#pragma once

#include <span>
#include <string>

#include "command.hpp"

namespace licensor::cli {

[[nodiscard]] cli_output cli_dispatch(std::span<const std::string> args, const cli_context& context);

}  // namespace licensor::cli
