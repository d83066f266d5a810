// The entry point of every "licensorctl keys" subcommand; command_table.cpp wires them to
// their names, options and help.
#pragma once

#include "command.hpp"

namespace licensor::cli {

[[nodiscard]] cli_output keys_init_run(const parsed_args& args, const cli_context& context);
[[nodiscard]] cli_output keys_rotate_run(const parsed_args& args, const cli_context& context);
[[nodiscard]] cli_output keys_revoke_run(const parsed_args& args, const cli_context& context);
[[nodiscard]] cli_output keys_list_run(const parsed_args& args, const cli_context& context);
[[nodiscard]] cli_output keys_keyring_run(const parsed_args& args, const cli_context& context);
[[nodiscard]] cli_output keys_sign_run(const parsed_args& args, const cli_context& context);
[[nodiscard]] cli_output keys_verify_run(const parsed_args& args, const cli_context& context);

}  // namespace licensor::cli
