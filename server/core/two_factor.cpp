#include "core/two_factor.hpp"

#include <algorithm>

#include "core/audit.hpp"
#include "core/sessions.hpp"
#include "domain/secret_hash.hpp"
#include "domain/totp.hpp"

namespace licensor::server {

std::optional<second_factor_proof> second_factor_check(const user_record& user, std::string_view totp_code,
                                                       std::string_view recovery_code, std::int64_t now) {
  if (user.totp_secret.empty()) return std::nullopt;
  if (!totp_code.empty()) {
    const auto step = totp_check(user.totp_secret, totp_code, now, user.totp_last_step);
    if (!step) return std::nullopt;
    return second_factor_proof{step, {}};
  }
  if (recovery_code.empty()) return std::nullopt;
  auto hash = hash_hex(recovery_code_normalise(recovery_code));
  const auto& unused = user.recovery_code_hashes;
  // Hashes of 50-bit random codes: comparing them in the open tells a guesser nothing.
  if (std::find(unused.begin(), unused.end(), hash) == unused.end()) return std::nullopt;
  return second_factor_proof{std::nullopt, std::move(hash)};
}

bool second_factor_spend(user_record& user, const second_factor_proof& proof) {
  if (proof.totp_step) {
    if (*proof.totp_step <= user.totp_last_step) return false;
    user.totp_last_step = *proof.totp_step;
    return true;
  }
  return std::erase(user.recovery_code_hashes, proof.recovery_hash) == 1;
}

void totp_enrol_start(store::write_view& write, const caller& who, const std::string& secret,
                      std::optional<std::int64_t> proof_step, std::int64_t now) {
  auto user = user_self(write, who);
  user.totp_pending_secret = secret;
  if (proof_step) user.totp_last_step = std::max(user.totp_last_step, *proof_step);
  user.updated_at = now;
  must(write.user_put(user));
}

void totp_enrol_confirm(store::write_view& write, const caller& who, const std::string& code,
                        std::vector<std::string> recovery_hashes, std::int64_t now) {
  auto user = user_self(write, who);
  if (user.totp_pending_secret.empty()) refuse(errc::conflict, "no TOTP enrolment is pending: start one with POST /v1/me/totp");
  const auto step = totp_check(user.totp_pending_secret, code, now, -1);
  if (!step) refuse(errc::totp_invalid);
  const bool replaced = !user.totp_secret.empty();
  user.totp_secret = std::move(user.totp_pending_secret);
  user.totp_pending_secret.clear();
  user.totp_last_step = *step;
  user.recovery_code_hashes = std::move(recovery_hashes);
  user.updated_at = now;
  must(write.user_put(user));
  audit_append(write, who, "user.totp_enable", user.id, now, {{"replaced", replaced}});
}

void totp_disable(store::write_view& write, const caller& who, std::int64_t now) {
  auto user = user_self(write, who);
  const bool was_on = !user.totp_secret.empty();
  user.totp_secret.clear();
  user.totp_pending_secret.clear();
  user.totp_last_step = -1;
  user.recovery_code_hashes.clear();
  user.updated_at = now;
  must(write.user_put(user));
  if (was_on) audit_append(write, who, "user.totp_disable", user.id, now);
}

}  // namespace licensor::server
