// licensorctl keys sign: a claims JSON in, a license token signed by the active key out.
#include "commands.hpp"
#include "input.hpp"
#include "key_dir_access.hpp"
#include "licensor/claims.hpp"
#include "licensor/email.hpp"
#include "licensor/paseto.hpp"
#include "licensor/signed_document.hpp"

namespace licensor::cli {

cli_output keys_sign_run(const parsed_args& args, const cli_context& context) {
  const std::filesystem::path dir = *args.value("dir");
  const auto& claims_file = *args.value("claims");
  auto text = input_read(claims_file);
  if (!text) return cli_fail(text.error(), "cannot read the claims from " + claims_file);
  auto claims = claims_parse(*text);
  if (!claims)
    return cli_fail(claims.error(), claims_file + " is not license claims JSON (RFC 3339 times, "
                                                  "required iss sub iat nbf product tier kind email seats features)");
  // Tokens carry the normalised email, the form verifiers compare against.
  auto email = email_normalise(claims->email);
  if (!email) return cli_fail(email.error(), "\"" + claims->email + "\" is not a valid email");
  claims->email = std::move(*email);

  keys::key_dir_options options;
  if (auto failed = key_dir_options_load(args, context, dir, /*new_dir=*/false, options)) return *failed;
  const auto signer = keys::key_dir_load_signer(dir, options);
  if (!signer) return key_dir_fail(signer.error(), dir);
  auto token = license_token_sign(*claims, signer->active_key);
  // Verify once before handing the token out: a bad key or signer never leaves the tool.
  if (!paseto_verify(token, signer->active_key.public_key(), license_assertion))
    return cli_fail(errc::internal, "the token just signed does not verify");
  return {0, token + "\n", ""};
}

}  // namespace licensor::cli
