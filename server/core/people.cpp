#include "core/people.hpp"

#include "core/audit.hpp"
#include "core/events.hpp"
#include "core/customers.hpp"
#include "core/ids.hpp"
#include "core/sessions.hpp"
#include "core/views.hpp"
#include "licensor/email.hpp"

namespace licensor::server {
namespace {

org_kind kind_of(const user_record& user) {
  if (!user.customer_id.empty()) return org_kind::customer;
  return user.partner_id.empty() ? org_kind::operator_ : org_kind::partner;
}

caller_kind caller_kind_of(org_kind kind) {
  switch (kind) {
    case org_kind::operator_: return caller_kind::operator_;
    case org_kind::partner: return caller_kind::partner;
    case org_kind::customer: return caller_kind::customer;
  }
  return caller_kind::anonymous;
}

}  // namespace

void people_manager_or_refuse(const caller& who, const std::string& partner_id, const std::string& customer_id) {
  permitted_or_refuse(who, permission::users_manage);
  if (partner_id.empty() && customer_id.empty()) {
    if (who.kind != caller_kind::operator_) refuse(errc::forbidden, "only operators manage operator users");
    permitted_or_refuse(who, permission::operator_users_manage);
    return;
  }
  if (customer_id.empty()) {
    visible_or_refuse(who, partner_id, errc::partner_not_found);
    if (who.kind == caller_kind::customer) refuse(errc::forbidden);
    return;
  }
  visible_or_refuse(who, partner_id, errc::customer_not_found, customer_id);
}

std::optional<user_record> user_by_token(const store::read_view& view, const std::string& token_hash,
                                         std::string_view purpose, std::int64_t now) {
  const auto token = must(view.user_token_get(token_hash));
  if (!token || token->purpose != purpose || token->expires_at <= now) return std::nullopt;
  return must(view.user_get(token->user_id));
}

user_record user_invite_prepare(const caller& who, const invitation_order& order, std::int64_t now) {
  permitted_or_refuse(who, permission::users_manage);
  // A customer's person is checked against the customer's partner on the writer (user_invite_store).
  if (order.customer_id.empty()) people_manager_or_refuse(who, order.partner_id);
  auto email = email_normalise(order.email);
  if (!email) refuse(errc::invalid_email);
  const auto kind = !order.customer_id.empty() ? org_kind::customer
                                               : (order.partner_id.empty() ? org_kind::operator_ : org_kind::partner);
  const auto role = role_find(kind, order.role);
  if (!role) refuse(errc::bad_request, "'" + order.role + "' is not a role of " + std::string(org_kind_name(kind)) + " users");
  if (order.name.size() > 200) refuse(errc::bad_request, "'name' is longer than 200 characters");
  if (order.language.empty() || order.language.size() > 16) refuse(errc::bad_request, "'language' must be a language tag");
  user_record user;
  user.id = id_generate("usr_");
  user.partner_id = order.partner_id;
  user.customer_id = order.customer_id;
  user.email = std::move(*email);
  user.name = order.name;
  user.role = std::string(role->name);
  user.language = order.language;
  user.created_at = user.updated_at = now;
  user.invited_by = who.id;
  return user;
}

user_record user_invite_store(store::write_view& write, const caller& who, user_record user,
                              const std::string& token_hash, bool emailed, std::int64_t now) {
  if (!user.customer_id.empty()) {
    user.partner_id = found(write.customer_get(user.customer_id), errc::customer_not_found).partner_id;
    people_manager_or_refuse(who, user.partner_id, user.customer_id);
  }
  if (!user.partner_id.empty()) (void)found(write.partner_get(user.partner_id), errc::partner_not_found);
  if (auto inserted = write.user_insert(user); !inserted)
    refuse(inserted.error() == errc::conflict ? errc::user_exists : inserted.error());
  must(write.user_token_put(token_hash, {user.id, "invitation", now + invitation_lifetime_seconds}));
  audit_append(write, who, "user.invite", user.id, now,
               {{"partner_id", user.partner_id}, {"customer_id", user.customer_id}, {"email", user.email}, {"role", user.role}});
  event_append(write, "user.invited", user.partner_id, "user:" + user.id,
               {{"id", user.id}, {"email", user.email}, {"name", user.name}, {"role", user.role}, {"language", user.language},
                {"partner_id", text_or_null(user.partner_id)}, {"customer_id", text_or_null(user.customer_id)}, {"emailed", emailed}},
               now);
  return user;
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

std::vector<user_record> users_visible(const store::read_view& view, const caller& who, const std::string& partner_id,
                                       const std::string& customer_id) {
  permitted_or_refuse(who, permission::users_read);
  switch (who.kind) {
    case caller_kind::customer: return must(view.users_of(who.customer_id));
    case caller_kind::partner:
      if (customer_id.empty()) return must(view.users_of(who.partner_id));
      (void)customer_visible(view, who, customer_id);
      return must(view.users_of(customer_id));
    case caller_kind::operator_: return must(view.users_of(customer_id.empty() ? partner_id : customer_id));
    case caller_kind::anonymous: break;
  }
  refuse(errc::forbidden);
}

user_record user_visible(const store::read_view& view, const caller& who, const std::string& id) {
  auto user = must(view.user_get(id));
  if (!user) refuse(errc::not_found);
  // Operators see everyone; a partner's people their staff and their customers' people; a
  // customer's people their own colleagues.
  if (who.kind == caller_kind::anonymous) refuse(errc::not_found);
  if (who.kind == caller_kind::partner && user->partner_id != who.partner_id) refuse(errc::not_found);
  if (who.kind == caller_kind::customer && user->customer_id != who.customer_id) refuse(errc::not_found);
  return *user;
}

user_record user_update(store::write_view& write, const caller& who, const std::string& id, const user_changes& changes,
                        std::int64_t now) {
  auto user = user_visible(write, who, id);
  people_manager_or_refuse(who, user.partner_id, user.customer_id);
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
  auto who = caller_with_role(caller_kind_of(kind_of(user)), user.partner_id, "user:" + user.id, *role);
  who.user_id = user.id;
  who.customer_id = user.customer_id;
  who.email = user.email;
  return who;
}

caller person_caller(const store::read_view& view, const user_record& user) {
  auto who = user_caller(user);
  if (user.customer_id.empty()) return who;
  const auto customer = must(view.customer_get(user.customer_id));
  if (!customer) refuse(errc::unauthorized, "this account's customer no longer exists");
  who.partner_id = customer->partner_id;
  if (!customer->self_service) {
    using enum permission;
    permissions_withhold(who, permission_set({own_account, licenses_read, users_read}),
                         "your partner manages this customer's subscriptions: self-service is not enabled");
  }
  return who;
}

void people_of_customer_disable(store::write_view& write, const std::string& customer_id, std::int64_t now) {
  for (auto person : must(write.users_of(customer_id))) {
    sessions_end(write, person.id);
    if (person.status == "disabled") continue;
    person.status = "disabled";
    person.updated_at = now;
    must(write.user_put(person));
  }
}

}  // namespace licensor::server
