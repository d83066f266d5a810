// licensorctl keys verify: checks a license token offline exactly as an app would, through
// the verifier library's C++ API, with the root key pinned from a file or the command line.
#include <nlohmann/json.hpp>

#include <algorithm>

#include "commands.hpp"
#include "input.hpp"
#include "licensor/verifier.hpp"

namespace licensor::cli {
namespace {

// --root takes the PASERK itself or a file holding it (such as a key dir's root.public).
result<PublicKey> root_read(const std::string& root) {
  if (root.starts_with("k4.public.")) return paserk_public_parse(root);
  auto text = keys::file_read(root);
  if (!text) return text.error();
  return paserk_public_parse(keys::line_trim(*text));
}

// The verifier's failure names are errc codes, so the errc message describes them.
std::string_view status_message(std::string_view name) {
  const auto all = errc_all();
  const auto match = std::find_if(all.begin(), all.end(), [&](errc e) { return errc_code(e) == name; });
  return match == all.end() ? "verification failed" : errc_message(*match);
}

cli_output outcome_report(const verify_outcome& outcome, bool json) {
  const auto name = verify_status_name(outcome.status);
  const bool valid = outcome.status == verify_status::valid || outcome.status == verify_status::valid_in_grace;
  cli_output output = valid ? cli_output{} : cli_fail(name, status_message(name));
  if (json) {
    nlohmann::json out = {{"status", name},
                          {"kid", outcome.kid.value.empty() ? nlohmann::json() : nlohmann::json(outcome.kid.value)},
                          {"claims", nullptr}};
    if (valid) out["claims"] = nlohmann::json::parse(claims_to_json(outcome.claims), nullptr, false);
    output.out = out.dump(2) + "\n";
    return output;
  }
  output.out = "status: " + std::string(name) + "\n";
  if (!outcome.kid.value.empty()) output.out += "kid: " + outcome.kid.value + "\n";
  if (valid) output.out += "claims: " + claims_to_json(outcome.claims) + "\n";
  return output;
}

}  // namespace

cli_output keys_verify_run(const parsed_args& args, const cli_context& context) {
  const auto root = root_read(*args.value("root"));
  if (!root) return cli_fail(root.error(), "--root is neither a k4.public nor a file holding one");
  const auto& keyring_file = *args.value("keyring");
  const auto keyring = keys::file_read(keyring_file);
  if (!keyring) return cli_fail(keyring.error(), "cannot read the keyring " + keyring_file);
  const auto& token_file = *args.value("token");
  const auto token = input_read(token_file);
  if (!token) return cli_fail(token.error(), "cannot read the token from " + token_file);

  verify_context check;
  check.now = context.now;
  if (const auto* now = args.value("now")) {
    const auto parsed = rfc3339_parse(*now);
    if (!parsed) return cli_fail(errc::bad_request, "--now is not an RFC 3339 time: " + *now);
    check.now = *parsed;
  }
  check.product = *args.value("product");
  if (const auto* email = args.value("email")) check.expected_email = *email;
  if (const auto* version = args.value("app-version")) check.app_version = *version;
  if (const auto* fingerprint = args.value("fingerprint")) check.fingerprint = *fingerprint;

  // A one-off check: nothing seen before, so no rollback or clock state to carry in.
  license_verifier verifier({*root});
  std::uint64_t highest_seen_version = 0;
  const auto loaded = verifier.load_keyring(keys::line_trim(*keyring), highest_seen_version);
  if (loaded != verify_status::valid) {
    verify_outcome failed;
    failed.status = loaded;
    return outcome_report(failed, args.flag("json"));
  }
  unix_seconds last_trusted_time = 0;
  return outcome_report(verifier.verify(keys::line_trim(*token), check, last_trusted_time), args.flag("json"));
}

}  // namespace licensor::cli
