// People: invitations, users, sign-in and sessions (core/people.hpp, core/sessions.hpp).
// Passwords are hashed and verified here, on the network threads, never on the store's writer;
// the write that follows re-checks that the hash it was verified against is still the user's.
#include "api/body_reader.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "core/ids.hpp"
#include "core/people.hpp"
#include "core/sessions.hpp"
#include "domain/password.hpp"
#include "domain/secret_hash.hpp"
#include "licensor/email.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {
namespace {

nlohmann::json id_or_null(const std::string& id) { return id.empty() ? nlohmann::json() : nlohmann::json(id); }

nlohmann::json user_view(const user_record& user) {
  const auto kind = !user.customer_id.empty() ? org_kind::customer : user.partner_id.empty() ? org_kind::operator_ : org_kind::partner;
  return {{"id", user.id},
          {"kind", org_kind_name(kind)},
          {"partner_id", id_or_null(user.partner_id)},
          {"customer_id", id_or_null(user.customer_id)},
          {"email", user.email},
          {"name", user.name},
          {"role", user.role},
          {"status", user.status},
          {"language", user.language},
          {"created_at", rfc3339_format(user.created_at)},
          {"updated_at", rfc3339_format(user.updated_at)}};
}

nlohmann::json session_view(const session_record& session, bool current) {
  return {{"id", session.id},
          {"created_at", rfc3339_format(session.created_at)},
          {"last_seen_at", rfc3339_format(session.last_seen_at)},
          {"expires_at", rfc3339_format(session.expires_at)},
          {"client", session.client},
          {"user_agent", session.user_agent},
          {"current", current}};
}

// The session cookie: only over HTTPS, never to scripts, never on cross-site requests, for
// this host and path only (the __Host- prefix makes browsers enforce Secure, Path=/, no Domain).
std::string session_cookie(const std::string& secret, std::int64_t max_age) {
  return std::string(session_cookie_name) + "=" + secret + "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(max_age);
}

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

// Verifying against this when the email is unknown costs what a real check costs, so the
// answer's timing does not tell which emails have accounts.
const std::string& decoy_hash() {
  static const std::string hash = [] {
    auto hashed = password_hash("a decoy that no account has");
    return hashed ? *hashed : std::string();
  }();
  return hash;
}

}  // namespace

void user_invite(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"email", "name", "role", "language", "partner_id", "customer_id"});
  invitation_order order;
  // A customer's people invite into their customer; a partner's people into their partner or
  // one of its customers; operators name a partner or a customer, or neither for an operator.
  order.customer_id = call.who.kind == caller_kind::customer ? call.who.customer_id : body.optional_string("customer_id").value_or("");
  if (call.who.kind == caller_kind::customer) {
    if (auto named = body.optional_string("customer_id"); named && *named != call.who.customer_id)
      refuse(errc::customer_not_found);
  }
  if (order.customer_id.empty()) {
    const auto named = body.optional_string("partner_id");
    if (call.who.kind == caller_kind::partner && named && *named != call.who.partner_id) refuse(errc::partner_not_found);
    order.partner_id = call.who.kind == caller_kind::partner ? call.who.partner_id : named.value_or("");
  }
  order.email = body.string("email");
  order.name = body.optional_string("name").value_or("");
  order.role = body.string("role");
  order.language = body.optional_string("language").value_or("en");
  const auto now = svc.now();
  const auto user = user_invite_prepare(call.who, order, now);
  const auto token = secret_generate("inv_");
  svc.commit(call, [who = call.who, user, token, now](store::write_view& write, const signing&) {
    auto view = user_view(user_invite_store(write, who, user, hash_hex(token), now));
    // Until outbound e-mail exists, the inviter hands the token on; it is shown once.
    view["invitation"] = {{"token", token}, {"expires_at", rfc3339_format(now + invitation_lifetime_seconds)}};
    return answer_with_secret(std::move(view), 201);
  }, std::move(respond));
}

void user_list(service& svc, api_call& call, responder respond) {
  const auto filter = [&call](const char* name) {
    const auto it = call.query.find(name);
    return it == call.query.end() ? std::string() : it->second;
  };
  const store::page<user_record> users{users_visible(*svc.read(), call.who, filter("partner_id"), filter("customer_id")), {}};
  respond(page_answer(users, user_view));
}

void user_get(service& svc, api_call& call, responder respond) {
  respond(answer(user_view(user_visible(*svc.read(), call.who, call.params[0]))));
}

void user_update(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"name", "role", "status", "language"});
  user_changes changes{body.optional_string("name"), body.optional_string("role"), body.optional_string("status"),
                       body.optional_string("language")};
  svc.commit(call, [who = call.who, id = call.params[0], changes, now = svc.now()](store::write_view& write, const signing&) {
    return answer(user_view(user_update(write, who, id, changes, now)));
  }, std::move(respond));
}

void invitation_accept(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"token", "password"});
  const auto token_hash = hash_hex(body.string("token"));
  const auto now = svc.now();
  (void)invitation_user(*svc.read(), token_hash, now);  // before paying for a hash
  const auto hashed = password_hash_or_refuse(password_or_refuse(body, "password"));
  svc.commit(call, [token_hash, hashed, now](store::write_view& write, const signing&) {
    return answer(user_view(invitation_accept(write, token_hash, hashed, now)));
  }, std::move(respond));
}

void session_sign_in(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"email", "password", "partner_id"});
  auto email = email_normalise(body.string("email"));
  const auto password = body.string("password");
  const auto organisation = body.optional_string("partner_id");
  auto& limits = svc.limiters();
  const auto account = email ? *email : std::string("-");
  if (auto wait = limits.sign_in_failures_by_client.exhausted(call.request.client)) refuse_rate_limited(*wait);
  if (auto wait = limits.sign_in_failures_by_account.exhausted(account)) refuse_rate_limited(*wait);

  std::optional<user_record> user;
  if (email) {
    for (auto& candidate : must(svc.read()->users_by_email(*email))) {
      if (candidate.status != "active") continue;
      if (organisation && candidate.partner_id != *organisation) continue;
      if (user) refuse(errc::bad_request, "this email has accounts in several organisations: give 'partner_id' (empty for operators)");
      user = std::move(candidate);
    }
  }
  const auto& stored_hash = user ? user->password_hash : decoy_hash();
  if (!password_verify(stored_hash, password) || !user) {
    (void)limits.sign_in_failures_by_client.take(call.request.client);
    (void)limits.sign_in_failures_by_account.take(account);
    svc.audit_record(caller_named(caller_kind::anonymous, "client:" + call.request.client), "session.sign_in_failed",
                     user ? user->id : "", {{"email", account}});
    refuse(errc::unauthorized, "wrong email or password");
  }
  const auto secret = secret_generate("lss_");
  session_record session;
  session.id = id_generate("ses_");
  session.csrf_token = secret_generate("");
  session.client = call.request.client;
  session.user_agent = call.request.user_agent;
  svc.commit(call, [user = *user, verified = stored_hash, secret_hash = hash_hex(secret), session, secret,
                    now = svc.now()](store::write_view& write, const signing&) {
    const auto opened = session_open(write, user, verified, secret_hash, session, now);
    auto signed_in = answer_with_secret({{"session", session_view(opened, true)}, {"csrf_token", opened.csrf_token},
                                         {"user", user_view(user)}},
                                        201);
    signed_in.set_cookie = session_cookie(secret, session_absolute_seconds);
    return signed_in;
  }, std::move(respond));
}

void session_sign_out(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  svc.commit(call, [who = call.who, now = svc.now()](store::write_view& write, const signing&) {
    session_close(write, who, now);
    auto ended = answer({{"signed_out", true}});
    ended.set_cookie = session_cookie("", 0);
    return ended;
  }, std::move(respond));
}

void session_list(service& svc, api_call& call, responder respond) {
  auto items = nlohmann::json::array();
  for (const auto& [hash, session] : sessions_own(*svc.read(), call.who))
    items.push_back(session_view(session, hash == call.who.session_hash));
  respond(answer({{"items", std::move(items)}, {"next", nullptr}}));
}

void session_revoke(service& svc, api_call& call, responder respond) {
  svc.commit(call, [who = call.who, id = call.params[0], now = svc.now()](store::write_view& write, const signing&) {
    session_revoke(write, who, id, now);
    return answer({{"id", id}, {"revoked", true}});
  }, std::move(respond));
}

void me_get(service& svc, api_call& call, responder respond) {
  auto view = user_view(user_self(*svc.read(), call.who));
  auto permissions = nlohmann::json::array();
  for (unsigned p = 0; p < static_cast<unsigned>(permission::count_); ++p) {
    if (call.who.may(static_cast<permission>(p))) permissions.push_back(permission_name(static_cast<permission>(p)));
  }
  view["permissions"] = std::move(permissions);
  respond(answer(std::move(view)));
}

void me_password_change(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"current_password", "new_password"});
  const auto user = user_self(*svc.read(), call.who);
  // A stolen session must not become a password oracle: wrong guesses count against the account.
  auto& per_account = svc.limiters().sign_in_failures_by_account;
  if (auto wait = per_account.exhausted(user.email)) refuse_rate_limited(*wait);
  if (!password_verify(user.password_hash, body.string("current_password"))) {
    (void)per_account.take(user.email);
    refuse(errc::forbidden, "the current password is wrong");
  }
  const auto hashed = password_hash_or_refuse(password_or_refuse(body, "new_password"));
  svc.commit(call, [who = call.who, verified = user.password_hash, hashed, now = svc.now()](store::write_view& write,
                                                                                           const signing&) {
    password_change(write, who, verified, hashed, now);
    return answer({{"changed", true}});
  }, std::move(respond));
}

}  // namespace licensor::server
