// Sign-in security over HTTPS: TOTP enrolment and sign-in with codes and recovery codes (on the
// server's test clock, so every step is known), an organisation that requires TOTP, password
// resets by single-use token, and brute force against one account from many addresses that
// does not lock its owner out on a known device.
#include <atomic>
#include <cctype>
#include <chrono>
#include <set>
#include <thread>

#include "domain/totp.hpp"
#include "licensor/rfc3339.hpp"
#include "server_test.hpp"

using namespace licensor::testing;
using json = nlohmann::json;

namespace {

// A step boundary (divisible by 30): codes of T0 + k * 30 are the codes of step T0 / 30 + k.
constexpr std::int64_t t0 = 1'893'456'000;  // 2030-01-01T00:00:00Z

licensord_process& security_server() {
  static licensord_process process({"--test-clock", "--log-level", "info"});
  return process;
}

using person = person_session;  // a signed-in person as a browser holds them

// The value of the cookie `name` among a response's Set-Cookie headers ("" when absent).
std::string set_cookie_value(const response& answer, const std::string& name) {
  for (const auto& cookie : answer.set_cookies)
    if (cookie.starts_with(name + "=")) return cookie.substr(name.size() + 1, cookie.find(';') - name.size() - 1);
  return {};
}

struct security_world {
  licensord_process& server;
  https_client op = server.operator_client();
  partner_account partner = partner_create(op, partner_spec{"gold", {}, true, "security"});
  https_client web = server.client();
  std::string origin = "https://127.0.0.1:" + std::to_string(server.port());

  // Each world's browser has an address of its own: the wrong passwords and codes one case
  // tries on purpose must not spend the next case's per-address budget.
  explicit security_world(licensord_process& on = security_server()) : server(on) {
    static int worlds = 0;
    web.source_address_set("127.0.1." + std::to_string(++worlds));
  }

  void clock_at(std::int64_t t) { expect_status(op.post("/v1/test/clock", {{"now", licensor::rfc3339_format(t)}}), 200, "clock"); }
  // An active person of the partner: their id and email.
  std::pair<std::string, std::string> active(const std::string& role) {
    const auto email = "s" + unique_suffix() + "@example.com";
    auto invited = op.post("/v1/users", {{"email", email}, {"role", role}, {"partner_id", partner.id}});
    expect_status(invited, 201, "invite");
    expect_status(web.post("/v1/invitations/accept", {{"token", invited.json.at("invitation").at("token")}, {"password", password}}),
                  200, "accept");
    return {invited.json.at("id"), email};
  }
  response sign_in_try(const std::string& email, json extra = json::object(), const std::string& secret = password) {
    json body{{"email", email}, {"password", secret}};
    body.update(extra);
    return web.post("/v1/sessions", body);
  }
  person session_of(const response& answer) {
    REQUIRE(answer.status == 201);
    return {"__Host-licensor_session=" + set_cookie_value(answer, "__Host-licensor_session"), answer.json.at("csrf_token"), origin};
  }
  person sign_in(const std::string& email, json extra = json::object()) { return session_of(sign_in_try(email, std::move(extra))); }
  response with(const person& who, const std::string& method, const std::string& target, const json& body = nullptr) {
    return web.request(method, target, body.is_null() ? std::string() : body.dump(), method == "GET" ? who.reading() : who.changing());
  }
  // Enrols `who` at the clock's time `now`: the secret and the recovery codes.
  std::pair<std::vector<std::uint8_t>, std::vector<std::string>> enrol(const person& who, std::int64_t now,
                                                                       const json& proof = json::object()) {
    const auto started = with(who, "POST", "/v1/me/totp", proof);
    REQUIRE(started.status == 201);
    const auto secret = started.json.at("secret").get<std::string>();
    auto bytes = licensor::server::base32_decode(secret);
    REQUIRE(bytes.ok());
    const auto confirmed = with(who, "POST", "/v1/me/totp/confirm", {{"code", licensor::server::totp_code(*bytes, now)}});
    REQUIRE(confirmed.status == 200);
    return {*bytes, confirmed.json.at("recovery_codes").get<std::vector<std::string>>()};
  }
};

std::string code_at(const std::vector<std::uint8_t>& secret, std::int64_t t) { return licensor::server::totp_code(secret, t); }

}  // namespace

TEST_CASE("TOTP: enrolment shows the secret once; sign-in then needs a code of the step before, of or after now, once") {
  security_world w;
  w.clock_at(t0);
  const auto [id, email] = w.active("global_admin");
  const auto me = w.sign_in(email);
  CHECK(w.with(me, "GET", "/v1/me").json.at("totp_enabled") == false);

  const auto started = w.with(me, "POST", "/v1/me/totp", json::object());
  REQUIRE(started.status == 201);
  const auto secret_text = started.json.at("secret").get<std::string>();
  CHECK(secret_text.size() == 32);
  const auto uri = started.json.at("uri").get<std::string>();
  CHECK(uri.starts_with("otpauth://totp/Licensor:"));
  CHECK(uri.find("secret=" + secret_text) != std::string::npos);
  CHECK(uri.find("issuer=Licensor") != std::string::npos);
  const auto secret = *licensor::server::base32_decode(secret_text);
  // Not on until confirmed, and only by a code of the new secret.
  (void)w.sign_in(email);
  CHECK_ERROR(w.with(me, "POST", "/v1/me/totp/confirm", {{"code", "000000"}}), 422, "totp_invalid");
  CHECK_ERROR(w.with(me, "POST", "/v1/me/totp/confirm", {{"code", "12345"}}), 422, "totp_invalid");
  const auto confirmed = w.with(me, "POST", "/v1/me/totp/confirm", {{"code", code_at(secret, t0)}});
  REQUIRE(confirmed.status == 200);
  const auto recovery = confirmed.json.at("recovery_codes").get<std::vector<std::string>>();
  CHECK(recovery.size() == 10);
  CHECK(std::set<std::string>(recovery.begin(), recovery.end()).size() == 10);
  CHECK_ERROR(w.with(me, "POST", "/v1/me/totp/confirm", {{"code", code_at(secret, t0 + 30)}}), 409, "conflict");
  CHECK(w.with(me, "GET", "/v1/me").json.at("totp_enabled") == true);

  CHECK_ERROR(w.sign_in_try(email), 401, "totp_required");
  CHECK_ERROR(w.sign_in_try(email, {{"totp_code", code_at(secret, t0)}}, "a wrong password!"), 401, "unauthorized");
  CHECK_ERROR(w.sign_in_try(email, {{"totp_code", code_at(secret, t0)}}), 401, "unauthorized");  // used to confirm
  // At step s = T0/30 + 1: the next step's code is good, then the current one is older: refused.
  w.clock_at(t0 + 30 + 5);
  (void)w.sign_in(email, {{"totp_code", code_at(secret, t0 + 60)}});
  CHECK_ERROR(w.sign_in_try(email, {{"totp_code", code_at(secret, t0 + 60)}}), 401, "unauthorized");  // reused
  CHECK_ERROR(w.sign_in_try(email, {{"totp_code", code_at(secret, t0 + 30)}}), 401, "unauthorized");  // earlier
  // At step T0/30 + 7: two steps back is refused, the step before is good.
  w.clock_at(t0 + 7 * 30 + 29);
  CHECK_ERROR(w.sign_in_try(email, {{"totp_code", code_at(secret, t0 + 5 * 30)}}), 401, "unauthorized");
  CHECK_ERROR(w.sign_in_try(email, {{"totp_code", code_at(secret, t0 + 9 * 30)}}), 401, "unauthorized");
  (void)w.sign_in(email, {{"totp_code", code_at(secret, t0 + 6 * 30)}});

  // A recovery code works once, typed in any case with spaces; the audit counts what is left.
  std::string typed = recovery[0];
  for (auto& c : typed) c = c == '-' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  (void)w.sign_in(email, {{"recovery_code", typed}});
  CHECK_ERROR(w.sign_in_try(email, {{"recovery_code", recovery[0]}}), 401, "unauthorized");
  bool audited = false;
  for (const auto& entry : audit_entries(w.op, "user.recovery_code_used"))
    if (entry.at("target") == id) audited = entry.at("details").at("remaining") == 9;
  CHECK(audited);
  for (const auto& entry : audit_all(w.op)) {
    const auto text = entry.dump();
    CHECK(text.find(secret_text) == std::string::npos);
    CHECK(text.find(recovery[1]) == std::string::npos);
  }
  const auto log = w.server.stderr_text();
  CHECK(log.find(secret_text) == std::string::npos);
  CHECK(log.find(recovery[1]) == std::string::npos);
}

TEST_CASE("TOTP: replacing or turning it off needs the password or a current code") {
  // Another person: each wrong password or code above spent one of the account's 10 tries.
  security_world w;
  w.clock_at(t0);
  const auto [id, email] = w.active("global_admin");
  const auto me = w.sign_in(email);
  const auto [secret, recovery] = w.enrol(me, t0);
  CHECK_ERROR(w.with(me, "POST", "/v1/me/totp", json::object()), 400, "bad_request");
  CHECK_ERROR(w.with(me, "POST", "/v1/me/totp", {{"password", "not my password"}}), 403, "forbidden");
  w.clock_at(t0 + 20 * 30);
  const auto restarted = w.with(me, "POST", "/v1/me/totp", {{"code", code_at(secret, t0 + 20 * 30)}});
  REQUIRE(restarted.status == 201);
  const auto fresh = *licensor::server::base32_decode(restarted.json.at("secret").get<std::string>());
  CHECK(fresh != secret);
  // Until the new secret is confirmed, the old one is in force.
  CHECK_ERROR(w.sign_in_try(email, {{"totp_code", code_at(fresh, t0 + 21 * 30)}}), 401, "unauthorized");
  (void)w.sign_in(email, {{"totp_code", code_at(secret, t0 + 21 * 30)}});
  const auto confirmed = w.with(me, "POST", "/v1/me/totp/confirm", {{"code", code_at(fresh, t0 + 20 * 30)}});
  REQUIRE(confirmed.status == 200);
  const auto fresh_recovery = confirmed.json.at("recovery_codes").get<std::vector<std::string>>();
  CHECK_ERROR(w.sign_in_try(email, {{"recovery_code", recovery[1]}}), 401, "unauthorized");  // the old codes are gone
  CHECK_ERROR(w.sign_in_try(email, {{"totp_code", code_at(secret, t0 + 19 * 30)}}), 401, "unauthorized");
  (void)w.sign_in(email, {{"totp_code", code_at(fresh, t0 + 21 * 30)}});
  (void)w.sign_in(email, {{"recovery_code", fresh_recovery[9]}});

  // Turning it off needs the password or a current code.
  CHECK_ERROR(w.with(me, "DELETE", "/v1/me/totp", {{"password", "not my password"}}), 403, "forbidden");
  CHECK_ERROR(w.with(me, "DELETE", "/v1/me/totp", {{"code", code_at(fresh, t0 + 21 * 30)}}), 403, "forbidden");  // used
  const auto off = w.with(me, "DELETE", "/v1/me/totp", {{"password", password}});
  REQUIRE(off.status == 200);
  CHECK(off.json.at("totp_enabled") == false);
  (void)w.sign_in(email);
  for (const char* action : {"user.totp_enable", "user.totp_disable"}) {
    CAPTURE(action);
    bool found = false;
    for (const auto& entry : audit_entries(w.op, action)) found = found || entry.at("target") == id;
    CHECK(found);
  }
}

TEST_CASE("TOTP: wrong codes count against the account's budget as wrong passwords do") {
  security_world w;
  w.clock_at(t0);
  const auto email = w.active("sales_agent").second;
  const auto secret = w.enrol(w.sign_in(email), t0).first;
  w.clock_at(t0 + 300);
  int refused = 0;
  for (int attempt = 0; attempt < 12; ++attempt) {
    const auto answer = w.sign_in_try(email, {{"totp_code", "000000"}});
    if (answer.status == 401) ++refused;
    else CHECK_ERROR(answer, 429, "rate_limited");
  }
  CHECK(refused == 10);
  CHECK_ERROR(w.sign_in_try(email, {{"totp_code", code_at(secret, t0 + 300)}}), 429, "rate_limited");
}

TEST_CASE("an organisation that requires TOTP: its people without it may only enrol, then do what their role allows") {
  security_world w;
  w.clock_at(t0);
  auto as_partner = w.server.client(w.partner.api_key);
  CHECK(as_partner.get("/v1/organisation/security").json.at("require_totp") == false);
  CHECK_ERROR(as_partner.patch("/v1/organisation/security", {{"require_totp", "yes"}}), 400, "bad_request");
  const auto set = as_partner.patch("/v1/organisation/security", {{"require_totp", true}});
  REQUIRE(set.status == 200);
  CHECK(set.json.at("require_totp") == true);
  CHECK(as_partner.get("/v1/organisation/security").json.at("require_totp") == true);
  CHECK(w.op.get("/v1/organisation/security").json.at("require_totp") == false);  // the operators' own
  CHECK_FALSE(audit_entries(w.op, "organisation.security_update").empty());
  expect_status(as_partner.get("/v1/licenses"), 200, "API keys are not affected");

  const auto email = w.active("global_admin").second;
  const auto me = w.sign_in(email);
  const auto profile = w.with(me, "GET", "/v1/me");
  REQUIRE(profile.status == 200);
  CHECK(profile.json.at("totp_enrolment_required") == true);
  const auto refused = w.with(me, "GET", "/v1/licenses");
  CHECK_ERROR(refused, 403, "forbidden");
  CHECK(refused.json.at("error").at("message").get<std::string>().find("TOTP") != std::string::npos);
  CHECK_ERROR(w.with(me, "POST", "/v1/customers", {{"email", "c" + unique_suffix() + "@example.com"}}), 403, "forbidden");
  CHECK_ERROR(w.with(me, "PATCH", "/v1/organisation/security", {{"require_totp", false}}), 403, "forbidden");
  expect_status(w.with(me, "GET", "/v1/sessions"), 200, "own account");

  (void)w.enrol(me, t0);
  CHECK(w.with(me, "GET", "/v1/me").json.at("totp_enrolment_required") == false);
  expect_status(w.with(me, "GET", "/v1/licenses"), 200, "enrolled: the role's routes");
  const auto relaxed = w.with(me, "PATCH", "/v1/organisation/security", {{"require_totp", false}});
  REQUIRE(relaxed.status == 200);
  CHECK(relaxed.json.at("require_totp") == false);
}

TEST_CASE("a password reset token is single-use, lives an hour, replaces earlier ones and ends the sessions") {
  security_world w;
  w.clock_at(t0);
  const auto [id, email] = w.active("sales_agent");
  const auto before = w.sign_in(email);
  const auto first = w.op.post("/v1/users/" + id + "/password-reset");
  REQUIRE(first.status == 201);
  CHECK(first.json.at("expires_at") == licensor::rfc3339_format(t0 + 3600));
  const auto second = w.op.post("/v1/users/" + id + "/password-reset");
  REQUIRE(second.status == 201);
  const auto token = second.json.at("token").get<std::string>();
  CHECK_ERROR(w.web.post("/v1/password-resets/accept", {{"token", first.json.at("token")}, {"password", "a new long password"}}),
              422, "reset_token_invalid");  // replaced
  CHECK_ERROR(w.web.post("/v1/password-resets/accept", {{"token", token}, {"password", "short"}}), 422, "weak_password");
  CHECK_ERROR(w.web.post("/v1/password-resets/accept", {{"token", "rst_forged"}, {"password", "a new long password"}}), 422,
              "reset_token_invalid");
  const auto accepted = w.web.post("/v1/password-resets/accept", {{"token", token}, {"password", "a new long password"}});
  REQUIRE(accepted.status == 200);
  CHECK(accepted.json.at("id") == id);
  CHECK_ERROR(w.web.post("/v1/password-resets/accept", {{"token", token}, {"password", "another new password"}}), 422,
              "reset_token_invalid");  // used
  CHECK_ERROR(w.with(before, "GET", "/v1/me"), 401, "unauthorized");
  CHECK_ERROR(w.sign_in_try(email), 401, "unauthorized");
  (void)w.session_of(w.sign_in_try(email, json::object(), "a new long password"));

  // Expired after an hour.
  const auto late = w.op.post("/v1/users/" + id + "/password-reset");
  REQUIRE(late.status == 201);
  w.clock_at(t0 + 3600);
  CHECK_ERROR(w.web.post("/v1/password-resets/accept", {{"token", late.json.at("token")}, {"password", "a new long password"}}),
              422, "reset_token_invalid");

  // A disabled user cannot reset, with a token made before or after.
  const auto pending = w.op.post("/v1/users/" + id + "/password-reset");
  REQUIRE(pending.status == 201);
  expect_status(w.op.patch("/v1/users/" + id, {{"status", "disabled"}}), 200, "disable");
  CHECK_ERROR(w.web.post("/v1/password-resets/accept", {{"token", pending.json.at("token")}, {"password", "a new long password"}}),
              422, "reset_token_invalid");
  CHECK_ERROR(w.op.post("/v1/users/" + id + "/password-reset"), 409, "conflict");

  // Another partner's people are not found; an invited person accepts their invitation instead.
  auto as_other = w.server.client(partner_create(w.op, partner_spec{"gold", {}, true, "other"}).api_key);
  CHECK_ERROR(as_other.post("/v1/users/" + id + "/password-reset"), 404, "not_found");
  auto invited = w.op.post("/v1/users", {{"email", "i" + unique_suffix() + "@example.com"}, {"role", "sales_agent"}, {"partner_id", w.partner.id}});
  REQUIRE(invited.status == 201);
  CHECK_ERROR(w.op.post("/v1/users/" + invited.json.at("id").get<std::string>() + "/password-reset"), 409, "conflict");

  bool issued = false, used = false;
  for (const auto& entry : audit_all(w.op)) {
    CHECK(entry.dump().find(token) == std::string::npos);
    if (entry.at("target") != id) continue;
    issued = issued || entry.at("action") == "user.password_reset_issue";
    used = used || entry.at("action") == "user.password_reset";
  }
  CHECK(issued);
  CHECK(used);
  CHECK(w.server.stderr_text().find(token) == std::string::npos);
}

TEST_CASE("1,000 wrong passwords from 20 addresses: 429 once the account's budget is spent; its owner's device still gets in") {
  // A server of its own: the limiters are per process.
  licensord_process server({"--log-level", "info"});
  security_world w(server);
  const auto email = w.active("global_admin").second;
  // The owner signed in from this browser before: it holds a device cookie.
  const auto first = w.sign_in_try(email);
  REQUIRE(first.status == 201);
  const auto device = set_cookie_value(first, "__Host-licensor_device");
  REQUIRE(device.starts_with("dev_"));
  for (const auto& cookie : first.set_cookies) {
    if (!cookie.starts_with("__Host-licensor_device=")) continue;
    for (const char* flag : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict", "; Max-Age=34560000"}) {
      CAPTURE(flag);
      CHECK(cookie.find(flag) != std::string::npos);
    }
  }
  const header_list owner_device{{"Cookie", "__Host-licensor_device=" + device}};

  constexpr int addresses = 20, per_address = 50;
  std::atomic<int> unauthorized{0}, limited{0}, other{0}, without_retry_after{0};
  const auto attack_started = std::chrono::steady_clock::now();
  std::vector<std::thread> attackers;
  for (int a = 0; a < addresses; ++a) {
    attackers.emplace_back([&, a] {
      auto client = server.client();
      client.source_address_set("127.0.0." + std::to_string(a + 2));
      for (int i = 0; i < per_address; ++i) {
        // A forwarded-for header must not make the server believe in other addresses.
        const json body{{"email", email}, {"password", "guess " + std::to_string(a) + "-" + std::to_string(i)}};
        const auto answer = client.request("POST", "/v1/sessions", body.dump(), {{"X-Forwarded-For", "203.0.113.9"}});
        if (answer.status == 401) ++unauthorized;
        else if (answer.status == 429) {
          ++limited;
          if (answer.header("retry-after").empty()) ++without_retry_after;
        } else ++other;
      }
    });
  }
  for (auto& attacker : attackers) attacker.join();
  const auto attack_ended = std::chrono::steady_clock::now();
  REQUIRE(attack_ended - attack_started < std::chrono::seconds(30));  // no refill during the attack
  MESSAGE("1000 wrong passwords in " << std::chrono::duration_cast<std::chrono::milliseconds>(attack_ended - attack_started).count()
                                      << " ms: " << unauthorized.load() << " x 401, " << limited.load() << " x 429");
  CHECK(unauthorized.load() == 10);  // the account's burst; each address's own (20) was never reached
  CHECK(limited.load() == 990);
  CHECK(other.load() == 0);
  CHECK(without_retry_after.load() == 0);

  // The owner on their device gets in at once; a forged device cookie does not help anyone.
  const auto owner = w.web.request("POST", "/v1/sessions", json{{"email", email}, {"password", password}}.dump(), owner_device);
  CHECK(owner.status == 201);
  CHECK(set_cookie_value(owner, "__Host-licensor_device").empty());  // a known device keeps its cookie
  CHECK_ERROR(w.web.request("POST", "/v1/sessions", json{{"email", email}, {"password", password}}.dump(),
                            {{"Cookie", "__Host-licensor_device=dev_forged"}}),
              429, "rate_limited");
  // A new device waits for the account's refill: one try per 30 s, after the attack stopped.
  const auto new_device = w.sign_in_try(email);
  CHECK_ERROR(new_device, 429, "rate_limited");
  CHECK(std::stoi(new_device.header("retry-after")) <= 30);
  bool in = false;
  while (!in && std::chrono::steady_clock::now() - attack_ended < std::chrono::seconds(35)) {
    const auto attempt = w.sign_in_try(email);
    in = attempt.status == 201;
    if (!in) {
      CHECK_ERROR(attempt, 429, "rate_limited");
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }
  const auto waited = std::chrono::steady_clock::now() - attack_ended;
  MESSAGE("a new device signed in " << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()
                                    << " ms after the attack stopped");
  CHECK(in);
  CHECK(waited <= std::chrono::seconds(31));

  // The device's own budget: 5 wrong passwords, then 429 even with the device cookie.
  int device_refused = 0;
  for (int i = 0; i < 6; ++i) {
    const auto answer =
        w.web.request("POST", "/v1/sessions", json{{"email", email}, {"password", "device guess " + std::to_string(i)}}.dump(), owner_device);
    if (answer.status == 401) ++device_refused;
    else CHECK_ERROR(answer, 429, "rate_limited");
  }
  CHECK(device_refused == 5);

  // The server saw the real peer addresses, never the forwarded one; no secret is logged.
  const auto log = server.stderr_text();
  CHECK(log.find("\"client\":\"127.0.0.2\"") != std::string::npos);
  CHECK(log.find("\"client\":\"127.0.0.21\"") != std::string::npos);
  CHECK(log.find("203.0.113.9") == std::string::npos);
  CHECK(log.find(password) == std::string::npos);
  CHECK(log.find("guess ") == std::string::npos);
  CHECK(log.find("$argon2id$") == std::string::npos);
  CHECK(log.find(device) == std::string::npos);
  CHECK(log.find(set_cookie_value(first, "__Host-licensor_session")) == std::string::npos);
  std::set<std::string> failed_from;
  for (const auto& entry : audit_all(w.op)) {
    const auto text = entry.dump();
    CHECK(text.find("$argon2id$") == std::string::npos);
    CHECK(text.find(password) == std::string::npos);
    CHECK(text.find("guess ") == std::string::npos);
    CHECK(text.find(device) == std::string::npos);
    if (entry.at("action") == "session.sign_in_failed") failed_from.insert(entry.at("actor").get<std::string>());
  }
  // The attackers' 10 hashed guesses, and the device's 5 from the browser's own address.
  for (const auto& actor : failed_from) {
    CAPTURE(actor);
    CHECK(actor.starts_with("client:127.0."));
  }
  CHECK(failed_from.size() >= 2);
}
