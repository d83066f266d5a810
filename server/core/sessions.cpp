#include "core/sessions.hpp"

#include <algorithm>

#include "core/audit.hpp"
#include "core/devices.hpp"
#include "core/organisation_security.hpp"
#include "core/people.hpp"

namespace licensor::server {

session_holder_result session_holder(const store::read_view& view, const std::string& secret_hash, std::int64_t now) {
  const auto session = must(view.session_by_hash(secret_hash));
  if (!session) refuse(errc::unauthorized, "unknown or ended session");
  if (session->expires_at <= now || session->last_seen_at + session_idle_seconds <= now)
    refuse(errc::unauthorized, "the session has expired: sign in again");
  const auto user = must(view.user_get(session->user_id));
  if (!user) refuse(errc::unauthorized, "unknown or ended session");
  auto who = person_caller(view, *user);
  who.session_hash = secret_hash;
  if (totp_enrolment_required(view, *user))
    permissions_withhold(who, permission_set({permission::own_account}),
                         "your organisation requires two-factor sign-in: enrol TOTP (POST /v1/me/totp) first");
  const bool due = now - session->last_seen_at >= session_touch_interval_seconds;
  return {std::move(who), *session, due};
}

result<void> session_touch(store::write_view& write, const std::string& secret_hash, std::int64_t now) {
  auto session = write.session_by_hash(secret_hash);
  if (!session) return session.error();
  if (!*session || now - (*session)->last_seen_at < session_touch_interval_seconds) return {};
  (*session)->last_seen_at = now;
  return write.session_put(secret_hash, **session);
}

session_record session_open(store::write_view& write, const user_record& user, const sign_in_grant& grant,
                            const std::string& secret_hash, session_record session, std::int64_t now) {
  auto current = must(write.user_get(user.id));
  if (!current || current->password_hash != user.password_hash || current->status != "active" ||
      current->totp_secret != user.totp_secret)
    refuse(errc::unauthorized, "wrong email or password");
  const bool second_factor = !current->totp_secret.empty();
  if (second_factor && !second_factor_spend(*current, grant.factor))
    refuse(errc::unauthorized, "the code is wrong or was used already");
  if (!grant.rehashed.empty()) current->password_hash = grant.rehashed;
  if (!grant.device_hash.empty()) device_remember(*current, grant.device_hash);
  if (second_factor || !grant.rehashed.empty() || !grant.device_hash.empty()) must(write.user_put(*current));

  session.user_id = user.id;
  session.created_at = session.last_seen_at = now;
  session.expires_at = now + session_absolute_seconds;
  must(write.session_put(secret_hash, session));
  const auto who = user_caller(*current);
  audit_append(write, who, "session.sign_in", user.id, now,
               {{"session", session.id}, {"client", session.client}, {"second_factor", second_factor}});
  if (!grant.factor.recovery_hash.empty())
    audit_append(write, who, "user.recovery_code_used", user.id, now,
                 {{"remaining", current->recovery_code_hashes.size()}});
  if (!grant.rehashed.empty()) audit_append(write, who, "user.password_rehash", user.id, now);
  return session;
}

void sessions_end(store::write_view& write, const std::string& user_id, const std::string& keep_hash) {
  for (const auto& [hash, session] : must(write.sessions_of(user_id))) {
    if (hash != keep_hash) must(write.session_erase(hash));
  }
}

void session_close(store::write_view& write, const caller& who, std::int64_t now) {
  if (who.session_hash.empty()) refuse(errc::forbidden, "only a signed-in person has a session");
  must(write.session_erase(who.session_hash));
  audit_append(write, who, "session.sign_out", who.user_id, now);
}

std::vector<std::pair<std::string, session_record>> sessions_own(const store::read_view& view, const caller& who) {
  if (who.user_id.empty()) refuse(errc::forbidden, "only a signed-in person has sessions");
  auto sessions = must(view.sessions_of(who.user_id));
  std::sort(sessions.begin(), sessions.end(),
            [](const auto& a, const auto& b) { return a.second.created_at > b.second.created_at; });
  return sessions;
}

void session_revoke(store::write_view& write, const caller& who, const std::string& session_id, std::int64_t now) {
  for (const auto& [hash, session] : sessions_own(write, who)) {
    if (session.id != session_id) continue;
    must(write.session_erase(hash));
    audit_append(write, who, "session.revoke", who.user_id, now, {{"session", session_id}});
    return;
  }
  refuse(errc::not_found);
}

user_record user_self(const store::read_view& view, const caller& who) {
  if (who.user_id.empty()) refuse(errc::forbidden, "only a signed-in person has an account");
  auto user = must(view.user_get(who.user_id));
  if (!user) refuse(errc::unauthorized);
  return *user;
}

void password_change(store::write_view& write, const caller& who, const std::string& verified_hash,
                     const std::string& new_hash, std::int64_t now) {
  auto user = user_self(write, who);
  if (user.password_hash != verified_hash) refuse(errc::conflict, "the password changed meanwhile");
  user.password_hash = new_hash;
  user.password_changed_at = now;
  user.updated_at = now;
  must(write.user_put(user));
  sessions_end(write, user.id, who.session_hash);
  audit_append(write, who, "user.password_change", user.id, now);
}

}  // namespace licensor::server
