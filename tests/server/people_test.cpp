// People over HTTPS: invitations, sign-in, the session cookie and its CSRF rules, sessions that
// end (sign-out, revocation, a password change, a disabled user), roles for people, and
// wrong passwords limited per account. One licensord with request logs on, to check that no
// secret reaches them.
#include <thread>

#include "server_test.hpp"

using namespace licensor::testing;
using json = nlohmann::json;

namespace {

licensord_process& people_server() {
  static licensord_process process({"--log-level", "info"});
  return process;
}

using person = person_session;  // a signed-in person as a browser holds them

struct people_world {
  licensord_process& server = people_server();
  https_client op = server.operator_client();
  partner_account partner = partner_create(op, partner_spec{"gold", {}, true, "people"});
  https_client web = server.client();  // a browser: no bearer, cookies set per request
  std::string origin = "https://127.0.0.1:" + std::to_string(server.port());

  json invite(const std::string& role, const std::string& email) {
    auto invited = op.post("/v1/users", {{"email", email}, {"role", role}, {"partner_id", partner.id}, {"name", "Ada"}});
    expect_status(invited, 201, "invite");
    return invited.json;
  }
  std::string active(const std::string& role) {
    const auto email = "p" + unique_suffix() + "@example.com";
    const auto invited = invite(role, email);
    expect_status(web.post("/v1/invitations/accept", {{"token", invited.at("invitation").at("token")}, {"password", password}}), 200,
                  "accept");
    return email;
  }
  response sign_in_try(const std::string& email, const std::string& secret) {
    return web.post("/v1/sessions", {{"email", email}, {"password", secret}});
  }
  person sign_in(const std::string& email, const std::string& secret = password) {
    const auto answer = sign_in_try(email, secret);
    expect_status(answer, 201, "sign in");
    const auto set_cookie = answer.header("set-cookie");
    return {set_cookie.substr(0, set_cookie.find(';')), answer.json.at("csrf_token"), origin};
  }
  response with(const person& who, const std::string& method, const std::string& target, const json& body = nullptr) {
    const bool reads = method == "GET";
    return web.request(method, target, body.is_null() ? std::string() : body.dump(), reads ? who.reading() : who.changing());
  }
};

}  // namespace

TEST_CASE("an invitation is accepted once with a long enough password, then its person signs in") {
  people_world w;
  const auto email = "ada" + unique_suffix() + "@example.com";
  const auto invited = w.invite("global_admin", email);
  CHECK(invited.at("status") == "invited");
  CHECK(invited.at("role") == "global_admin");
  const auto token = invited.at("invitation").at("token").get<std::string>();
  CHECK_ERROR(w.sign_in_try(email, password), 401, "unauthorized");  // no password yet
  CHECK_ERROR(w.op.post("/v1/users", {{"email", email}, {"role", "admin_agent"}, {"partner_id", w.partner.id}}), 409,
              "user_exists");
  CHECK_ERROR(w.op.post("/v1/users", {{"email", "x@example.com"}, {"role", "owner"}, {"partner_id", w.partner.id}}), 400,
              "bad_request");

  CHECK_ERROR(w.web.post("/v1/invitations/accept", {{"token", token}, {"password", "eleven char"}}), 422, "weak_password");
  const auto accepted = w.web.post("/v1/invitations/accept", {{"token", token}, {"password", "twelve chars"}});
  REQUIRE(accepted.status == 200);
  CHECK(accepted.json.at("status") == "active");
  CHECK_ERROR(w.web.post("/v1/invitations/accept", {{"token", token}, {"password", "twelve chars"}}), 422,
              "invitation_invalid");
  CHECK_ERROR(w.web.post("/v1/invitations/accept", {{"token", "inv_forged"}, {"password", "twelve chars"}}), 422,
              "invitation_invalid");

  CHECK_ERROR(w.sign_in_try(email, "twelve chars!"), 401, "unauthorized");
  CHECK_ERROR(w.sign_in_try("nobody@example.com", "twelve chars"), 401, "unauthorized");
  const auto signed_in = w.sign_in_try(email, "twelve chars");
  REQUIRE(signed_in.status == 201);
  const auto cookie = signed_in.header("set-cookie");
  CHECK(cookie.starts_with("__Host-licensor_session="));
  for (const char* flag : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict", "; Max-Age=43200"}) {
    CAPTURE(flag);
    CHECK(cookie.find(flag) != std::string::npos);
  }
  CHECK(signed_in.json.at("user").at("email") == email);
  CHECK(signed_in.json.at("csrf_token").get<std::string>().size() >= 40);
}

TEST_CASE("a session cookie reads freely; a change needs the CSRF token and this origin") {
  people_world w;
  const auto me = w.sign_in(w.active("admin_agent"));
  const auto profile = w.with(me, "GET", "/v1/me");
  REQUIRE(profile.status == 200);
  CHECK(profile.json.at("role") == "admin_agent");
  CHECK(profile.json.at("partner_id") == w.partner.id);
  expect_status(w.with(me, "GET", "/v1/licenses"), 200, "a read with the cookie");

  const json customer{{"email", "c" + unique_suffix() + "@example.com"}};
  CHECK_ERROR(w.web.request("POST", "/v1/customers", customer.dump(), me.reading()), 403, "csrf_failed");
  CHECK_ERROR(w.web.request("POST", "/v1/customers", customer.dump(),
                            {{"Cookie", me.cookie}, {"X-CSRF-Token", me.csrf + "x"}, {"Origin", me.origin}}),
              403, "csrf_failed");
  CHECK_ERROR(w.web.request("POST", "/v1/customers", customer.dump(),
                            {{"Cookie", me.cookie}, {"X-CSRF-Token", me.csrf}, {"Origin", "https://evil.example"}}),
              403, "csrf_failed");
  CHECK_ERROR(w.web.request("POST", "/v1/customers", customer.dump(), {{"Cookie", me.cookie}, {"X-CSRF-Token", me.csrf}}),
              403, "csrf_failed");
  const auto created = w.with(me, "POST", "/v1/customers", customer);
  REQUIRE(created.status == 201);
  // The partner's own records only: the audit names the person.
  const auto entries = audit_entries(w.op, "customer.create");
  bool named = false;
  for (const auto& entry : entries)
    if (entry.at("target") == created.json.at("id")) named = entry.at("actor").get<std::string>().starts_with("user:usr_");
  CHECK(named);

  CHECK_ERROR(w.web.get("/v1/me", {{"Cookie", "__Host-licensor_session=lss_forged"}}), 401, "unauthorized");
  const auto out = w.with(me, "DELETE", "/v1/session");
  REQUIRE(out.status == 200);
  CHECK(out.header("set-cookie").find("Max-Age=0") != std::string::npos);
  CHECK_ERROR(w.with(me, "GET", "/v1/me"), 401, "unauthorized");
}

TEST_CASE("a page opened later finds the session's CSRF token; a stale cookie never stands in the way of signing in") {
  people_world w;
  const auto email = w.active("sales_agent");
  const auto signed_in = w.sign_in(email);
  const auto current = w.with(signed_in, "GET", "/v1/session");
  REQUIRE(current.status == 200);
  CHECK(current.json.at("csrf_token") == signed_in.csrf);
  CHECK(current.json.at("session").at("current") == true);
  CHECK(current.header("cache-control") == "no-store");
  CHECK_ERROR(w.op.get("/v1/session"), 403, "forbidden");  // an API key has no session

  const auto me = w.with(signed_in, "GET", "/v1/me");
  REQUIRE(me.status == 200);
  CHECK(me.json.at("partner").at("id") == w.partner.id);
  CHECK(me.json.at("partner").at("level") == "gold");
  CHECK_FALSE(me.json.contains("customer"));

  // Signed out, the browser may still send the old cookie (and no CSRF token): signing in again
  // works, and so does accepting an invitation.
  expect_status(w.with(signed_in, "DELETE", "/v1/session"), 200, "sign out");
  CHECK_ERROR(w.with(signed_in, "GET", "/v1/session"), 401, "unauthorized");
  const auto again = w.web.request("POST", "/v1/sessions", json{{"email", email}, {"password", password}}.dump(),
                                   signed_in.reading());
  CHECK(again.status == 201);
  const auto invited = w.invite("helpdesk_agent", "late" + unique_suffix() + "@example.com");
  const auto accepted = w.web.request("POST", "/v1/invitations/accept",
                                      json{{"token", invited.at("invitation").at("token")}, {"password", password}}.dump(),
                                      signed_in.reading());
  CHECK(accepted.status == 200);
}

TEST_CASE("a password change ends the other sessions; a revoked or disabled person is signed out") {
  people_world w;
  const auto email = w.active("global_admin");
  const auto first = w.sign_in(email);
  const auto second = w.sign_in(email);
  const auto third = w.sign_in(email);
  const auto sessions = w.with(first, "GET", "/v1/sessions");
  REQUIRE(sessions.status == 200);
  REQUIRE(sessions.json.at("items").size() == 3);
  std::string third_id;
  int current = 0;
  for (const auto& session : sessions.json.at("items")) current += session.at("current").get<bool>() ? 1 : 0;
  CHECK(current == 1);

  // Revoke the third from the first.
  const auto third_sessions = w.with(third, "GET", "/v1/sessions");
  for (const auto& session : third_sessions.json.at("items"))
    if (session.at("current").get<bool>()) third_id = session.at("id");
  REQUIRE_FALSE(third_id.empty());
  expect_status(w.with(first, "DELETE", "/v1/sessions/" + third_id), 200, "revoke");
  CHECK_ERROR(w.with(third, "GET", "/v1/me"), 401, "unauthorized");
  CHECK_ERROR(w.with(first, "DELETE", "/v1/sessions/ses_someone_elses"), 404, "not_found");

  CHECK_ERROR(w.with(first, "POST", "/v1/me/password", {{"current_password", "wrong wrong wrong"}, {"new_password", "another long password"}}),
              403, "forbidden");
  CHECK_ERROR(w.with(first, "POST", "/v1/me/password", {{"current_password", password}, {"new_password", "short"}}), 422,
              "weak_password");
  expect_status(w.with(first, "POST", "/v1/me/password", {{"current_password", password}, {"new_password", "another long password"}}),
                200, "password change");
  expect_status(w.with(first, "GET", "/v1/me"), 200, "the session that changed it goes on");
  CHECK_ERROR(w.with(second, "GET", "/v1/me"), 401, "unauthorized");
  CHECK_ERROR(w.sign_in_try(email, password), 401, "unauthorized");
  (void)w.sign_in(email, "another long password");

  // A global_admin invites a helpdesk agent, who may read and suspend but not sell.
  const auto desk_email = "desk" + unique_suffix() + "@example.com";
  const auto invited = w.with(first, "POST", "/v1/users", {{"email", desk_email}, {"role", "helpdesk_agent"}});
  REQUIRE(invited.status == 201);
  CHECK(invited.json.at("partner_id") == w.partner.id);
  expect_status(w.web.post("/v1/invitations/accept", {{"token", invited.json.at("invitation").at("token")}, {"password", password}}),
                200, "accept");
  const auto desk = w.sign_in(desk_email);
  expect_status(w.with(desk, "GET", "/v1/customers"), 200, "a read");
  CHECK_ERROR(w.with(desk, "POST", "/v1/customers", {{"email", "d" + unique_suffix() + "@example.com"}}), 403, "forbidden");
  CHECK_ERROR(w.with(desk, "POST", "/v1/users", {{"email", "e" + unique_suffix() + "@example.com"}, {"role", "global_admin"}}),
              403, "forbidden");

  const auto desk_id = invited.json.at("id").get<std::string>();
  CHECK_ERROR(w.with(first, "PATCH", "/v1/users/" + w.with(first, "GET", "/v1/me").json.at("id").get<std::string>(),
                     {{"role", "sales_agent"}}),
              403, "forbidden");  // nobody changes their own role
  CHECK_ERROR(w.with(first, "PATCH", "/v1/users/" + desk_id, {{"role", "owner"}}), 400, "bad_request");
  const auto disabled = w.with(first, "PATCH", "/v1/users/" + desk_id, {{"status", "disabled"}});
  REQUIRE(disabled.status == 200);
  CHECK(disabled.json.at("status") == "disabled");
  CHECK_ERROR(w.with(desk, "GET", "/v1/customers"), 401, "unauthorized");
  CHECK_ERROR(w.sign_in_try(desk_email, password), 401, "unauthorized");

  // Another partner's people are not found.
  const auto other = partner_create(w.op, partner_spec{"gold", {}, true, "other"});
  auto other_invited = w.op.post("/v1/users", {{"email", "o" + unique_suffix() + "@example.com"}, {"role", "sales_agent"}, {"partner_id", other.id}});
  REQUIRE(other_invited.status == 201);
  CHECK_ERROR(w.with(first, "GET", "/v1/users/" + other_invited.json.at("id").get<std::string>()), 404, "not_found");
  const auto users = w.with(first, "GET", "/v1/users");
  for (const auto& user : users.json.at("items")) CHECK(user.at("partner_id") == w.partner.id);
}

TEST_CASE("wrong passwords are limited per account across addresses; no password, hash or cookie is logged") {
  people_world w;
  const auto email = w.active("sales_agent");
  const auto me = w.sign_in(email);
  int refused = 0, limited = 0;
  for (int attempt = 0; attempt < 40; ++attempt) {
    const auto answer = w.sign_in_try(email, "not the password " + std::to_string(attempt));
    if (answer.status == 401) ++refused;
    if (answer.status == 429) {
      ++limited;
      CHECK_FALSE(answer.header("retry-after").empty());
    }
  }
  CHECK(refused == 10);  // the account's burst
  CHECK(limited == 30);
  // While the account's budget is spent even the right password waits: guessing cannot go on.
  CHECK_ERROR(w.sign_in_try(email, password), 429, "rate_limited");
  // Other accounts are not affected, and a signed-in session goes on.
  (void)w.sign_in(w.active("sales_agent"));
  expect_status(w.with(me, "GET", "/v1/me"), 200, "the session goes on");

  const auto log = w.server.stderr_text();
  CHECK(log.find("\"path\":\"/v1/sessions\"") != std::string::npos);  // the log is on
  CHECK(log.find(password) == std::string::npos);
  CHECK(log.find("not the password") == std::string::npos);
  CHECK(log.find("$argon2id$") == std::string::npos);
  CHECK(log.find(me.cookie.substr(me.cookie.find('=') + 1)) == std::string::npos);
  CHECK(log.find(me.csrf) == std::string::npos);
  // Nor does the audit log carry them.
  for (const auto& entry : audit_all(w.op)) {
    const auto text = entry.dump();
    CHECK(text.find("$argon2id$") == std::string::npos);
    CHECK(text.find(password) == std::string::npos);
  }
}
