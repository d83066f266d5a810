#include "key_dir_access.hpp"

#include <sodium.h>

#include "passphrase.hpp"

namespace licensor::cli {

std::optional<cli_output> key_dir_options_load(const parsed_args& args, const cli_context& context,
                                               const std::filesystem::path& dir, bool new_dir,
                                               keys::key_dir_options& options) {
  options.limits = context.limits;
  if (!new_dir) {
    // A development dir has nothing to unwrap; a dir we cannot judge fails later, precisely.
    const auto development = keys::key_dir_is_development(dir);
    if (development.ok() && *development) return std::nullopt;
  }
  const auto* env = args.value(passphrase_env_option.name);
  const std::string env_name(env != nullptr ? std::string_view(*env) : default_passphrase_env);
  auto passphrase = passphrase_read(env_name, new_dir);
  if (!passphrase) {
    if (passphrase.error() == errc::wrong_password)
      return cli_fail(errc::wrong_password, "the two passphrases typed differ");
    return cli_fail(passphrase.error(), "no passphrase: set " + env_name + " or run on a terminal");
  }
  options.passphrase = *passphrase;
  sodium_memzero(passphrase->data(), passphrase->size());
  return std::nullopt;
}

cli_output key_dir_fail(errc error, const std::filesystem::path& dir) {
  const std::string name = dir.string();
  switch (error) {
    case errc::wrong_password:
      return cli_fail(error, "the passphrase does not unwrap the keys in " + name);
    case errc::already_exists:
      return cli_fail(error, name + " already holds keys; --force replaces them");
    case errc::io_error:
      return cli_fail(error, "cannot read or write the key dir " + name);
    case errc::keyring_bad_signature:
      return cli_fail(error, name + "/keyring.token is not signed by " + name + "/root.public");
    case errc::no_active_key:
      return cli_fail(error, "that would leave " + name + " without an active signing key; rotate first");
    case errc::not_found:
      return cli_fail(error, "no such kid in the keyring of " + name);
    case errc::malformed:
      return cli_fail(error, "a file in " + name + " is malformed or does not match root.public");
    default:
      return cli_fail(error, errc_message(error));
  }
}

}  // namespace licensor::cli
