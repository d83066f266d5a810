#include "secret_text.hpp"

#include <sodium.h>

#include "licensor/keys/file_io.hpp"

namespace licensor::keys {
namespace {

constexpr std::string_view wrapped_prefix = "k4.secret-pw.";
constexpr std::string_view unwrapped_prefix = "k4.secret.";

}  // namespace

result<secret_form> secret_text_form(std::string_view text) noexcept {
  if (text.starts_with(wrapped_prefix)) return secret_form::wrapped;
  if (text.starts_with(unwrapped_prefix)) return secret_form::unwrapped;
  return errc::malformed;
}

result<std::string> secret_text_encode(const SecretKey& key, secret_form form,
                                       std::string_view passphrase, pbkw_limits limits) {
  if (form == secret_form::unwrapped) return paserk_secret(key) + "\n";
  // An empty passphrase would make the wrapping decorative.
  if (passphrase.empty()) return errc::bad_request;
  auto wrapped = paserk_secret_pw_wrap(key, passphrase, limits);
  if (!wrapped) return wrapped.error();
  return *wrapped + "\n";
}

result<SecretKey> secret_text_decode(std::string_view text, std::string_view passphrase) {
  const auto line = line_trim(text);
  auto form = secret_text_form(line);
  if (!form) return form.error();
  if (*form == secret_form::unwrapped) return paserk_secret_parse(line);
  // Skip the Argon2id work: no wrapped key of ours has an empty passphrase.
  if (passphrase.empty()) return errc::wrong_password;
  return paserk_secret_pw_unwrap(line, passphrase);
}

void secret_text_wipe(std::string& text) noexcept { sodium_memzero(text.data(), text.size()); }

}  // namespace licensor::keys
