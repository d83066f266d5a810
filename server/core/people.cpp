#include "core/people.hpp"

#include "core/audit.hpp"
#include "core/ids.hpp"
#include "core/sessions.hpp"
#include "licensor/email.hpp"

namespace licensor::server {
namespace {

org_kind kind_of(const user_record& user) { return user.partner_id.empty() ? org_kind::operator_ : org_kind::partner; }
}  // namespace

void people_manager_or_refuse(const caller& who, const std::string& partner_id) {
  permitted_or_refuse(who, permission::users_manage);
  if (partner_id.empty()) {
    if (who.kind != caller_kind::operator_) refuse(errc::forbidden, "only operators manage operator users");
    permitted_or_refuse(who, permission::operator_users_manage);
    return;
  }
  visible_or_refuse(who, partner_id, errc::partner_not_found);
  if (who.kind == caller_kind::customer) refuse(errc::forbidden);
}

std::optional<user_record> user_by_token(const store::read_view& view, const std::string& token_hash,
                                         std::string_view purpose, std::int64_t now) {
  const auto token = must(view.user_token_get(token_hash));
  if (!token || token->purpose != purpose || token->expires_at <= now) return std::nullopt;
  return must(view.user_get(token->user_id));
}

user_record user_invite_prepare(const caller& who, const invitation_order& order, std::int64_t now) {
  people_manager_or_refuse(who, order.partner_id);
  auto email = email_normalise(order.email);
  if (!email) refuse(errc::invalid_email);
  const auto kind = order.partner_id.empty() ? org_kind::operator_ : org_kind::partner;
  const auto role = role_find(kind, order.role);
  if (!role) refuse(errc::bad_request, "'" + order.role + "' is not a role of " + std::string(org_kind_name(kind)) + " users");
  if (order.name.size() > 200) refuse(errc::bad_request, "'name' is longer than 200 characters");
  if (order.language.empty() || order.language.size() > 16) refuse(errc::bad_request, "'language' must be a language tag");
  user_record user;
  user.id = id_generate("usr_");
  user.partner_id = order.partner_id;
  user.email = std::move(*email);
  user.name = order.name;
  user.role = std::string(role->name);
  user.language = order.language;
  user.created_at = user.updated_at = now;
  user.invited_by = who.id;
  return user;
}

void user_invite_store(store::write_view& write, const caller& who, const user_record& user,
                       const std::string& token_hash, std::int64_t now) {
  if (!user.partner_id.empty()) (void)found(write.partner_get(user.partner_id), errc::partner_not_found);
  if (auto inserted = write.user_insert(user); !inserted)
    refuse(inserted.error() == errc::conflict ? errc::user_exists : inserted.error());
  must(write.user_token_put(token_hash, {user.id, "invitation", now + invitation_lifetime_seconds}));
  audit_append(write, who, "user.invite", user.id, now,
               {{"partner_id", user.partner_id}, {"email", user.email}, {"role", user.role}});
}

user_record invitation_user(const store::read_view& view, const std::string& token_hash, std::int64_t now) {
  auto user = user_by_token(view, token_hash, "invitation", now);
  if (!user || user->status != "invited") refuse(errc::invitation_invalid);
  return *user;
}

user_record invitation_accept(store::write_view& write, const std::string& token_hash, const std::string& password_hash,
                              std::int64_t now) {
  auto user = invitation_user(write, token_hash, now);
  user.status = "active";
  user.password_hash = password_hash;
  user.password_changed_at = now;
  user.updated_at = now;
  must(write.user_put(user));
  must(write.user_token_erase(token_hash));
  audit_append(write, user_caller(user), "user.accept", user.id, now);
  return user;
}

std::vector<user_record> users_visible(const store::read_view& view, const caller& who, const std::string& partner_id) {
  permitted_or_refuse(who, permission::users_read);
  if (who.kind == caller_kind::partner) return must(view.users_of(who.partner_id));
  if (who.kind != caller_kind::operator_) refuse(errc::forbidden);
  return must(view.users_of(partner_id));
}

user_record user_visible(const store::read_view& view, const caller& who, const std::string& id) {
  auto user = must(view.user_get(id));
  if (!user) refuse(errc::not_found);
  if (who.kind == caller_kind::partner && user->partner_id != who.partner_id) refuse(errc::not_found);
  if (who.kind != caller_kind::partner && who.kind != caller_kind::operator_) refuse(errc::not_found);
  return *user;
}

user_record user_update(store::write_view& write, const caller& who, const std::string& id, const user_changes& changes,
                        std::int64_t now) {
  auto user = user_visible(write, who, id);
  people_manager_or_refuse(who, user.partner_id);
  const auto before = user;
  if ((changes.role || changes.status) && user.id == who.user_id)
    refuse(errc::forbidden, "nobody changes their own role or status");
  if (changes.name) {
    if (changes.name->size() > 200) refuse(errc::bad_request, "'name' is longer than 200 characters");
    user.name = *changes.name;
  }
  if (changes.language) user.language = *changes.language;
  if (changes.role) {
    const auto role = role_find(kind_of(user), *changes.role);
    if (!role) refuse(errc::bad_request, "'" + *changes.role + "' is not a role of this organisation");
    user.role = std::string(role->name);
  }
  if (changes.status) {
    if (*changes.status != "active" && *changes.status != "disabled")
      refuse(errc::bad_request, "'status' is active or disabled");
    if (user.status == "invited") refuse(errc::conflict, "an invited user becomes active by accepting the invitation");
    user.status = *changes.status;
    if (user.status == "disabled") sessions_end(write, user.id);
  }
  user.updated_at = now;
  must(write.user_put(user));
  audit_append(write, who, "user.update", user.id, now,
               {{"before", {{"role", before.role}, {"status", before.status}, {"name", before.name}}},
                {"after", {{"role", user.role}, {"status", user.status}, {"name", user.name}}}});
  return user;
}

caller user_caller(const user_record& user) {
  if (user.status != "active") refuse(errc::unauthorized, "this account is not active");
  const auto role = role_find(kind_of(user), user.role);
  if (!role) refuse(errc::unauthorized, "this account's role no longer exists");
  auto who = caller_with_role(user.partner_id.empty() ? caller_kind::operator_ : caller_kind::partner, user.partner_id,
                              "user:" + user.id, *role);
  who.user_id = user.id;
  return who;
}

}  // namespace licensor::server
