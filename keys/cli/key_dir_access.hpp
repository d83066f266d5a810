// What the key-dir commands share: building the library options (passphrase and cost) and
// turning a library error into one line an operator can act on.
#pragma once

#include <filesystem>
#include <optional>

#include "command.hpp"
#include "licensor/keys/key_dir.hpp"

namespace licensor::cli {

/// Fills `options` for a command on `dir`: the Argon2id cost, and the passphrase (see
/// passphrase.hpp; --passphrase-env names the variable) unless `dir` is in development mode.
/// `new_dir`: the dir does not exist yet, so ask twice. Returns the failure to report, if any.
[[nodiscard]] std::optional<cli_output> key_dir_options_load(const parsed_args& args,
                                                             const cli_context& context,
                                                             const std::filesystem::path& dir,
                                                             bool new_dir,
                                                             keys::key_dir_options& options);

/// A library error on `dir` as a failure line.
[[nodiscard]] cli_output key_dir_fail(errc error, const std::filesystem::path& dir);

/// The --passphrase-env option every command that unwraps accepts.
inline constexpr option_spec passphrase_env_option{"passphrase-env", true};

}  // namespace licensor::cli
