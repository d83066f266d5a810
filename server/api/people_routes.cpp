// People: invitations, users, password resets, sign-in and sessions (core/people.hpp,
// core/password_reset.hpp, core/sessions.hpp, core/devices.hpp).
// Passwords are hashed and verified here, on the network threads, never on the store's writer;
// the write that follows re-checks that the hash it was verified against is still the user's.
#include "api/body_reader.hpp"
#include "api/cookies.hpp"
#include "api/paging.hpp"
#include "api/passwords.hpp"
#include "api/routes.hpp"
#include "api/sign_in_budget.hpp"
#include "core/devices.hpp"
#include "core/ids.hpp"
#include "core/organisation_security.hpp"
#include "core/password_reset.hpp"
#include "core/partners.hpp"
#include "core/people.hpp"
#include "core/sessions.hpp"
#include "core/views.hpp"
#include "domain/password.hpp"
#include "domain/secret_hash.hpp"
#include "licensor/email.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {
namespace {

nlohmann::json user_view(const user_record& user) {
  const auto kind = !user.customer_id.empty() ? org_kind::customer : user.partner_id.empty() ? org_kind::operator_ : org_kind::partner;
  return {{"id", user.id},
          {"kind", org_kind_name(kind)},
          {"partner_id", text_or_null(user.partner_id)},
          {"customer_id", text_or_null(user.customer_id)},
          {"email", user.email},
          {"name", user.name},
          {"role", user.role},
          {"status", user.status},
          {"language", user.language},
          {"totp_enabled", !user.totp_secret.empty()},
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
  const body_reader body(call.body, {"email", "name", "role", "language", "partner_id", "customer_id", "send_email"});
  const bool send_email = body.optional_bool("send_email").value_or(false);
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
  svc.commit(call, [who = call.who, user, token, send_email, now](store::write_view& write, const signing&) {
    auto view = user_view(user_invite_store(write, who, user, hash_hex(token), send_email, now));
    // E-mailed, the token is only in the mail (minted when it is written); otherwise the inviter
    // hands it on, and it is shown once.
    view["invitation"] = {{"emailed", send_email}, {"expires_at", rfc3339_format(now + invitation_lifetime_seconds)}};
    if (send_email) return answer(std::move(view), 201);
    view["invitation"]["token"] = token;
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

namespace {

// The one active user of `email` (in `organisation` when given), or nullopt.
std::optional<user_record> sign_in_user(const store::read_view& view, const std::optional<std::string>& email,
                                        const std::optional<std::string>& organisation) {
  std::optional<user_record> user;
  if (!email) return user;
  for (auto& candidate : must(view.users_by_email(*email))) {
    if (candidate.status != "active") continue;
    if (organisation && candidate.partner_id != *organisation) continue;
    if (user) refuse(errc::bad_request, "this email has accounts in several organisations: give 'partner_id' (empty for operators)");
    user = std::move(candidate);
  }
  return user;
}

// A failed attempt: audited (without what was typed) and refused; its try stays spent.
[[noreturn]] void sign_in_refuse(service& svc, const api_call& call, const std::optional<user_record>& user,
                                 const std::string& account, std::string_view reason) {
  svc.audit_record(caller_acting_as(call.who, "client:" + call.request.client), "session.sign_in_failed",
                   user ? user->id : "", {{"email", account}, {"reason", reason}});
  refuse(errc::unauthorized, std::string(reason));
}

}  // namespace

void session_sign_in(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"email", "password", "partner_id", "totp_code", "recovery_code"});
  const auto normalised = email_normalise(body.string("email"));
  const auto email = normalised ? std::optional<std::string>(*normalised) : std::nullopt;
  const auto password = body.string("password");
  const auto totp_code = body.optional_string("totp_code").value_or("");
  const auto recovery_code = body.optional_string("recovery_code").value_or("");
  const auto account = email ? *email : std::string("-");
  const auto user = sign_in_user(*svc.read(), email, body.optional_string("partner_id"));
  const auto device_secret = cookie_value(call.request.cookie, device_cookie_name);
  const auto device_hash = device_secret.empty() ? std::string() : hash_hex(device_secret);
  const bool known_device = user && device_known(*user, device_hash);
  sign_in_budget budget(svc.limiters(), call.request.client, account, known_device ? device_hash : std::string());

  const auto now = svc.now();
  const auto& stored_hash = user ? user->password_hash : decoy_hash();
  if (!password_verify(stored_hash, password) || !user) sign_in_refuse(svc, call, user, account, "wrong email or password");
  sign_in_grant grant;
  if (!user->totp_secret.empty()) {
    // The password was right: asking for the code is not a guess, so the try goes back.
    if (totp_code.empty() && recovery_code.empty()) {
      budget.give_back();
      refuse(errc::totp_required, "this account needs 'totp_code' (or a 'recovery_code') as well");
    }
    auto proof = second_factor_check(*user, totp_code, recovery_code, now);
    if (!proof) sign_in_refuse(svc, call, user, account, "the code is wrong or was used already");
    grant.factor = std::move(*proof);
  }
  if (password_needs_rehash(stored_hash)) grant.rehashed = password_hash_or_refuse(password);
  const auto new_device = known_device ? std::string() : secret_generate("dev_");
  if (!new_device.empty()) grant.device_hash = hash_hex(new_device);

  const auto secret = secret_generate("lss_");
  session_record session;
  session.id = id_generate("ses_");
  session.csrf_token = secret_generate("");
  session.client = call.request.client;
  session.user_agent = call.request.user_agent;
  svc.commit(call, [user = *user, grant, secret_hash = hash_hex(secret), session, secret, new_device,
                    now](store::write_view& write, const signing&) {
    const auto opened = session_open(write, user, grant, secret_hash, session, now);
    auto signed_in = answer_with_secret({{"session", session_view(opened, true)}, {"csrf_token", opened.csrf_token},
                                         {"user", user_view(user)}},
                                        201);
    // The session's cookie first: clients that keep one Set-Cookie keep the session.
    signed_in.set_cookies.push_back(cookie_set(session_cookie_name, secret, session_absolute_seconds));
    if (!new_device.empty()) signed_in.set_cookies.push_back(cookie_set(device_cookie_name, new_device, device_cookie_seconds));
    return signed_in;
  }, [budget, respond = std::move(respond)](api_response answer) mutable {
    // The try goes back once the session is open: a code another sign-in spent meanwhile
    // (refused on the writer) counts as a wrong one.
    if (answer.status == 201) budget.give_back();
    respond(std::move(answer));
  });
}

void session_sign_out(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  svc.commit(call, [who = call.who, now = svc.now()](store::write_view& write, const signing&) {
    session_close(write, who, now);
    auto ended = answer({{"signed_out", true}});
    ended.set_cookies.push_back(cookie_set(session_cookie_name, "", 0));
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
  const auto snapshot = svc.read();
  const auto user = user_self(*snapshot, call.who);
  auto view = user_view(user);
  auto permissions = nlohmann::json::array();
  for (unsigned p = 0; p < static_cast<unsigned>(permission::count_); ++p) {
    if (call.who.may(static_cast<permission>(p))) permissions.push_back(permission_name(static_cast<permission>(p)));
  }
  view["permissions"] = std::move(permissions);
  view["totp_enrolment_required"] = totp_enrolment_required(*snapshot, user);
  // Who they work for, so a page can greet them by it and offer what their organisation may do
  // (a partner not yet enabled asks to be).
  if (call.who.kind == caller_kind::partner || call.who.kind == caller_kind::customer) {
    const auto partner = found(snapshot->partner_get(call.who.partner_id), errc::partner_not_found);
    view["partner"] = partner_view(partner);
    if (call.who.kind == caller_kind::partner)
      view["partner"]["usage"] = usage_view(partner_usage_of(*snapshot, partner, svc.config().caps, svc.now()));
  }
  if (call.who.kind == caller_kind::customer)
    view["customer"] = customer_view(found(snapshot->customer_get(call.who.customer_id), errc::customer_not_found));
  respond(answer(std::move(view)));
}

void session_current(service& svc, api_call& call, responder respond) {
  for (const auto& [hash, session] : sessions_own(*svc.read(), call.who)) {
    if (hash != call.who.session_hash) continue;
    // The CSRF token is readable by this origin's pages only (no CORS), like the sign-in's answer:
    // a page opened later in the same browser finds it here.
    respond(answer_with_secret({{"session", session_view(session, true)}, {"csrf_token", session.csrf_token}}, 200));
    return;
  }
  refuse(errc::not_found, "this request is not signed in with a session (an API key has none)");
}

void me_password_change(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"current_password", "new_password"});
  const auto user = user_self(*svc.read(), call.who);
  (void)owner_proof_or_refuse(svc, user, body.string("current_password"), std::nullopt);
  const auto hashed = password_hash_or_refuse(password_or_refuse(body, "new_password"));
  svc.commit(call, [who = call.who, verified = user.password_hash, hashed, now = svc.now()](store::write_view& write,
                                                                                           const signing&) {
    password_change(write, who, verified, hashed, now);
    return answer({{"changed", true}});
  }, std::move(respond));
}

void password_reset_issue(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"send_email"});
  const bool send_email = body.optional_bool("send_email").value_or(false);
  const auto token = secret_generate("rst_");
  svc.commit(call, [who = call.who, id = call.params[0], token, send_email, now = svc.now()](store::write_view& write,
                                                                                            const signing&) {
    const auto user = password_reset_issue(write, who, id, hash_hex(token), send_email, now);
    nlohmann::json view{{"user_id", user.id}, {"emailed", send_email},
                        {"expires_at", rfc3339_format(now + password_reset_lifetime_seconds)}};
    // E-mailed, the token is only in the mail; otherwise the admin hands it on, shown once.
    if (send_email) return answer(std::move(view), 201);
    view["token"] = token;
    return answer_with_secret(std::move(view), 201);
  }, std::move(respond));
}

void password_reset_accept(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"token", "password"});
  const auto token_hash = hash_hex(body.string("token"));
  const auto now = svc.now();
  (void)password_reset_user(*svc.read(), token_hash, now);  // before paying for a hash
  const auto hashed = password_hash_or_refuse(password_or_refuse(body, "password"));
  svc.commit(call, [token_hash, hashed, now](store::write_view& write, const signing&) {
    return answer(user_view(password_reset_accept(write, token_hash, hashed, now)));
  }, std::move(respond));
}

}  // namespace licensor::server
