#include "api/passwords.hpp"

#include "domain/password.hpp"
#include "domain/totp.hpp"

namespace licensor::server {

std::string password_or_refuse(const body_reader& body, std::string_view field) {
  auto password = body.string(field);
  if (auto acceptable = password_acceptable(password); !acceptable) refuse(errc::weak_password);
  return password;
}

std::string password_hash_or_refuse(const std::string& password) {
  auto hashed = password_hash(password);
  if (!hashed) refuse(hashed.error());
  return *hashed;
}

std::optional<std::int64_t> owner_proof_or_refuse(service& svc, const user_record& user,
                                                  const std::optional<std::string>& password,
                                                  const std::optional<std::string>& code) {
  if (!password && !code) refuse(errc::bad_request, "give 'password' (or, with TOTP on, 'code')");
  auto& per_account = svc.limiters().sign_in_failures_by_account;
  if (auto wait = per_account.exhausted(user.email)) refuse_rate_limited(*wait);
  if (password) {
    if (password_verify(user.password_hash, *password)) return std::nullopt;
  } else if (!user.totp_secret.empty()) {
    if (auto step = totp_check(user.totp_secret, *code, svc.now(), user.totp_last_step)) return step;
  }
  (void)per_account.take(user.email);
  refuse(errc::forbidden, password ? "the current password is wrong" : "the code is wrong or was used already");
}

}  // namespace licensor::server
