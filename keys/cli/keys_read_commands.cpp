// licensorctl keys list | keyring: the commands that only read a key dir (no passphrase).
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "key_dir_access.hpp"
#include "licensor/keys/file_io.hpp"

namespace licensor::cli {
namespace {

std::string_view status_name(key_status status) { return status == key_status::active ? "active" : "retired"; }

}  // namespace

cli_output keys_list_run(const parsed_args& args, const cli_context&) {
  const std::filesystem::path dir = *args.value("dir");
  const auto state = keys::key_dir_keyring(dir);
  if (!state) return key_dir_fail(state.error(), dir);
  const auto& keyring = state->keyring;

  if (args.flag("json")) {
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& entry : keyring.keys)
      keys.push_back({{"kid", entry.kid.value},
                      {"status", status_name(entry.status)},
                      {"nbf", rfc3339_format(entry.nbf)},
                      {"revoked", keyring.is_revoked(entry.kid)}});
    const nlohmann::json out = {
        {"version", keyring.version}, {"iat", rfc3339_format(keyring.iat)}, {"keys", keys}};
    return {0, out.dump(2) + "\n", ""};
  }
  std::string out = "keyring version " + std::to_string(keyring.version) + ", issued " +
                    rfc3339_format(keyring.iat) + "\n";
  for (const auto& entry : keyring.keys)
    out += entry.kid.value + "  " + std::string(status_name(entry.status)) + "  nbf " +
           rfc3339_format(entry.nbf) + (keyring.is_revoked(entry.kid) ? "  REVOKED" : "") + "\n";
  return {0, out, ""};
}

cli_output keys_keyring_run(const parsed_args& args, const cli_context&) {
  const std::filesystem::path dir = *args.value("dir");
  const auto state = keys::key_dir_keyring(dir);
  if (!state) return key_dir_fail(state.error(), dir);

  cli_output output;
  if (const auto* out_file = args.value("out")) {
    if (auto written = keys::file_write_atomic(*out_file, state->keyring_token + "\n",
                                               keys::file_access::world_readable,
                                               keys::file_overwrite::replace);
        !written)
      return cli_fail(written.error(), "cannot write " + *out_file);
  }
  if (args.flag("json")) {
    const nlohmann::json out = {{"token", state->keyring_token},
                                {"keyring", nlohmann::json::parse(keyring_to_json(state->keyring), nullptr, false)}};
    output.out = out.dump(2) + "\n";
  } else if (args.value("out") == nullptr) {
    output.out = state->keyring_token + "\n";
  }
  return output;
}

}  // namespace licensor::cli
