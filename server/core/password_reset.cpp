#include "core/password_reset.hpp"

#include "core/audit.hpp"
#include "core/events.hpp"
#include "core/people.hpp"
#include "core/sessions.hpp"

namespace licensor::server {

namespace {
constexpr std::string_view purpose = "password_reset";
}

user_record password_reset_issue(store::write_view& write, const caller& who, const std::string& id,
                                 const std::string& token_hash, bool emailed, std::int64_t now) {
  auto user = user_visible(write, who, id);
  people_manager_or_refuse(who, user.partner_id, user.customer_id);
  if (user.status != "active") refuse(errc::conflict, "only an active user's password can be reset");
  password_reset_token_replace(write, user, token_hash, now);
  audit_append(write, who, "user.password_reset_issue", user.id, now, {{"emailed", emailed}});
  // By mail, the token is minted when the mail is written (core/mail_compose.hpp), replacing this one.
  if (emailed)
    event_append(write, "user.password_reset_requested", user.partner_id, "user:" + user.id,
                 {{"id", user.id}, {"email", user.email}, {"name", user.name}}, now);
  return user;
}

void password_reset_token_replace(store::write_view& write, user_record& user, const std::string& token_hash,
                                  std::int64_t now) {
  if (!user.password_reset_hash.empty()) must(write.user_token_erase(user.password_reset_hash));
  must(write.user_token_put(token_hash, {user.id, std::string(purpose), now + password_reset_lifetime_seconds}));
  user.password_reset_hash = token_hash;
  user.updated_at = now;
  must(write.user_put(user));
}

user_record password_reset_user(const store::read_view& view, const std::string& token_hash, std::int64_t now) {
  auto user = user_by_token(view, token_hash, purpose, now);
  if (!user || user->status != "active" || user->password_reset_hash != token_hash) refuse(errc::reset_token_invalid);
  return *user;
}

user_record password_reset_accept(store::write_view& write, const std::string& token_hash, const std::string& password_hash,
                                  std::int64_t now) {
  auto user = password_reset_user(write, token_hash, now);
  user.password_hash = password_hash;
  user.password_changed_at = now;
  user.password_reset_hash.clear();
  user.updated_at = now;
  must(write.user_put(user));
  must(write.user_token_erase(token_hash));
  sessions_end(write, user.id);
  audit_append(write, user_caller(user), "user.password_reset", user.id, now);
  return user;
}

}  // namespace licensor::server
