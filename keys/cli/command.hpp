// The licensorctl command table: each command's name, help, options and entry point.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "args.hpp"
#include "cli_output.hpp"
#include "licensor/paserk.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::cli {

/// What main() gives every command: the clock reading and the Argon2id cost, read once.
struct cli_context {
  unix_seconds now = 0;
  pbkw_limits limits{};
};

struct command {
  std::string_view name;     ///< the word after "licensorctl keys"
  std::string_view summary;  ///< one line for the command list
  std::string_view help;     ///< the full --help text (usage, options)
  std::span<const option_spec> options;
  std::size_t positionals = 0;  ///< exact number of positional arguments
  cli_output (*run)(const parsed_args& args, const cli_context& context) = nullptr;
};

/// Every "licensorctl keys" subcommand.
[[nodiscard]] std::span<const command> keys_commands() noexcept;

}  // namespace licensor::cli
