// licensorctl keys init | rotate | revoke: the commands that change a key dir.
#include "commands.hpp"
#include "key_dir_access.hpp"

namespace licensor::cli {
namespace {

constexpr std::string_view dev_warning =
    "licensorctl: WARNING: ******************************************************************\n"
    "licensorctl: WARNING: --dev-unwrapped: secret keys are stored UNENCRYPTED (k4.secret).\n"
    "licensorctl: WARNING: Anyone who can read this directory can sign licenses and keyrings.\n"
    "licensorctl: WARNING: For development only; never ship or deploy these keys.\n"
    "licensorctl: WARNING: ******************************************************************\n";

std::string version_line(const std::filesystem::path& dir) {
  const auto version = keys::key_dir_keyring_version(dir);
  return version ? "keyring_version: " + std::to_string(*version) + "\n" : "";
}

}  // namespace

cli_output keys_init_run(const parsed_args& args, const cli_context& context) {
  const std::filesystem::path dir = *args.value("dir");
  keys::key_dir_options options;
  cli_output output;
  if (args.flag("dev-unwrapped")) {
    options.development_unwrapped = true;
    options.limits = context.limits;
    output.err = dev_warning;
  } else if (auto failed = key_dir_options_load(args, context, dir, /*new_dir=*/true, options)) {
    return *failed;
  }

  if (auto made = keys::key_dir_init(dir, options, context.now, args.flag("force")); !made)
    return key_dir_fail(made.error(), dir);
  const auto signer = keys::key_dir_keyring(dir);
  if (!signer) return key_dir_fail(signer.error(), dir);
  output.out = "root_public_file: " + keys::key_dir_root_public_path(dir).string() + "\n" +
               "root_public: " + paserk_public(signer->root_public) + "\n" +
               "kid: " + signer->keyring.active()->kid.value + "\n" + version_line(dir);
  return output;
}

cli_output keys_rotate_run(const parsed_args& args, const cli_context& context) {
  const std::filesystem::path dir = *args.value("dir");
  keys::key_dir_options options;
  if (auto failed = key_dir_options_load(args, context, dir, /*new_dir=*/false, options)) return *failed;
  const auto kid = keys::key_dir_rotate(dir, options, context.now);
  if (!kid) return key_dir_fail(kid.error(), dir);
  return {0, "kid: " + kid->value + "\n" + version_line(dir), ""};
}

cli_output keys_revoke_run(const parsed_args& args, const cli_context& context) {
  const std::filesystem::path dir = *args.value("dir");
  const KeyId kid{args.positionals.at(0)};
  if (!paserk_pid_well_formed(kid.value)) return cli_fail(errc::malformed, kid.value + " is not a k4.pid");
  keys::key_dir_options options;
  if (auto failed = key_dir_options_load(args, context, dir, /*new_dir=*/false, options)) return *failed;
  if (auto revoked = keys::key_dir_revoke(dir, options, kid, context.now); !revoked)
    return key_dir_fail(revoked.error(), dir);
  return {0, "revoked: " + kid.value + "\n" + version_line(dir), ""};
}

}  // namespace licensor::cli
