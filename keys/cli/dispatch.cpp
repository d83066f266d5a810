#include "dispatch.hpp"

#include <algorithm>

namespace licensor::cli {
namespace {

std::string keys_help() {
  std::string help =
      "usage: licensorctl keys <command> [options]\n"
      "       licensorctl keys <command> --help\n\n"
      "Key lifecycle for Licensor: the root key apps pin, the signing keys licensord uses, the\n"
      "root-signed keyring that lists them, and offline checks of license tokens.\n\ncommands:\n";
  for (const auto& c : keys_commands())
    help += "  " + std::string(c.name) + std::string(10 - c.name.size(), ' ') + std::string(c.summary) + "\n";
  help += "\nSecret keys are wrapped with a passphrase from $LICENSOR_PASSPHRASE (or the variable\n"
          "--passphrase-env names), else typed on the terminal.\n\n";
  return help + exit_code_table();
}

bool is_help(const std::string& arg) { return arg == "--help" || arg == "-h"; }

cli_output usage_fail(std::string_view message, std::string_view help_command) {
  return cli_fail(errc::bad_request,
                  std::string(message) + " (see licensorctl " + std::string(help_command) + " --help)");
}

}  // namespace

cli_output cli_dispatch(std::span<const std::string> args, const cli_context& context) {
  if (args.empty()) return usage_fail("missing command", "");
  if (is_help(args[0])) return {0, keys_help(), ""};
  if (args[0] != "keys") return usage_fail("unknown command " + args[0], "");
  if (args.size() < 2) return usage_fail("missing keys command", "keys");
  if (is_help(args[1])) return {0, keys_help(), ""};

  const auto all = keys_commands();
  const auto found = std::find_if(all.begin(), all.end(), [&](const command& c) { return c.name == args[1]; });
  if (found == all.end()) return usage_fail("unknown keys command " + args[1], "keys");
  const std::string help_command = "keys " + args[1];

  parsed_args parsed;
  if (const auto error = args_parse(args.subspan(2), found->options, parsed))
    return parsed.help ? cli_output{0, std::string(found->help), ""} : usage_fail(*error, help_command);
  if (parsed.help) {
    std::string help(found->help);
    if (found->name == "verify") help += "\n" + exit_code_table();
    return {0, help, ""};
  }
  if (parsed.positionals.size() != found->positionals)
    return usage_fail("expected " + std::to_string(found->positionals) + " argument(s), got " +
                          std::to_string(parsed.positionals.size()),
                      help_command);
  return found->run(parsed, context);
}

}  // namespace licensor::cli
