// Every role across every route, in one table: a permitted call succeeds (2xx) and any other
// answers 403 forbidden. The table is written from the programme's roles (docs/roles.md says
// the same in the server's words), not generated from the server, so a drift shows here.
// Each call gets fresh records to act on, made with the operator token, so one role's change
// (a revoke, a cancel) never decides another role's answer. Operators and partners call with
// API keys of each role; a customer's people (who have no keys) sign in afresh for each call,
// as people of a customer whose partner allows self-service, on that customer's records.
// Isolation across partners is partner_isolation_test.cpp's; this suite also checks that a
// partner's keys of every role see another partner's records as not found.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "domain/totp.hpp"
#include "licensor/rfc3339.hpp"
#include "server_test.hpp"

using namespace licensor::testing;
using json = nlohmann::json;

namespace {

const std::vector<std::string> operator_roles{"owner", "admin", "support", "billing", "auditor"};
const std::vector<std::string> partner_roles{"global_admin", "admin_agent", "sales_agent", "billing_admin", "helpdesk_agent"};
const std::vector<std::string> customer_roles{"customer_admin", "customer_member"};
const std::string person_password = "correct horse battery";

// One licensord for this suite alone: it rotates and revokes signing keys.
licensord_process& roles_server() {
  static licensord_process process;
  return process;
}

struct call {
  std::string method;
  std::string target;
  json body = nullptr;  // null: no body
};

// The world every call acts in: a partner P with a priced product, and P's records made fresh
// for each call by `setup` (operator token and P's first key, both all-powerful).
struct roles_world {
  licensord_process& server = roles_server();
  https_client op = server.operator_client();
  std::string product = "app-" + unique_suffix();
  partner_account partner = partner_create(op, partner_spec{"gold", {}, true, "roles"});
  partner_account other = partner_create(op, partner_spec{"gold", {}, true, "other"});
  https_client as_partner = server.client(partner.api_key);
  https_client web = server.client();  // a browser: no bearer
  // Set while a customer's person calls: the records are made for their customer, and the
  // person's own account is the one signed in.
  std::string acting_customer;
  std::string acting_email;
  person_session acting;  // the calling person's session (a customer's); empty for API keys

  roles_world() {
    const json price{{"currency", "EUR"}, {"seat_month", 1'000}, {"seat_year", 12'000}};
    expect_status(op.post("/v1/products", {{"id", product}, {"tiers", {"basic", "pro"}},
                                           {"prices", {{"basic", price}, {"pro", price}}}}),
                  201, "product");
  }
  std::string customer() {
    if (!acting_customer.empty()) return acting_customer;
    return customer_fresh(as_partner, "roles").at("id");
  }
  json license() {
    return license_issue(as_partner, {customer(), product, "paid"});
  }
  // A draft campaign of the product (operators').
  json campaign_definition() {
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    return {{"name", "roles"}, {"product", product}, {"extend_to", licensor::rfc3339_format(now + 400 * 86'400)},
            {"closes_at", licensor::rfc3339_format(now + 40 * 86'400)}};
  }
  std::string campaign() {
    auto created = op.post("/v1/campaigns", campaign_definition());
    expect_status(created, 201, "campaign");
    return created.json.at("id");
  }
  json subscription(json extra = json::object()) {
    json body{{"customer_id", customer()}, {"product", product}, {"tier", "basic"}, {"term", "monthly"}, {"seats", 3}};
    body.update(extra);
    auto created = as_partner.post("/v1/subscriptions", body);
    expect_status(created, 201, "subscription");
    return created.json;
  }
  std::string id_of(const json& record) { return record.at("id").get<std::string>(); }
  // An invited person of the operators (empty) or of a partner; returns the answer (with the token).
  json invite(const std::string& partner_id, const std::string& role) {
    json body{{"email", "person" + unique_suffix() + "@example.com"}, {"role", role}};
    if (!partner_id.empty()) body["partner_id"] = partner_id;
    auto invited = op.post("/v1/users", body);
    expect_status(invited, 201, "invite");
    return invited.json;
  }
  // An invited person of the caller's organisation kind (`org`), for the users routes.
  json invite_into(const std::string& org) {
    if (org == "operator") return invite("", "auditor");
    if (org == "partner") return invite(partner.id, "sales_agent");
    auto invited = op.post("/v1/users", {{"email", "person" + unique_suffix() + "@example.com"}, {"role", "customer_member"},
                                         {"customer_id", acting_customer}});
    expect_status(invited, 201, "invite a customer's person");
    return invited.json;
  }
  // The invited person, once they accepted with person_password.
  json accepted(json invited) {
    expect_status(op.post("/v1/invitations/accept", {{"token", invited.at("invitation").at("token")}, {"password", person_password}}),
                  200, "accept");
    return invited;
  }
  // An active person of the operators (empty) or of a partner, as invited (id, email).
  json active(const std::string& partner_id, const std::string& role) { return accepted(invite(partner_id, role)); }
  // An active person of P: their email and password.
  std::pair<std::string, std::string> person() { return {active(partner.id, "admin_agent").at("email"), person_password}; }
  // An active person of the caller's organisation.
  std::string own_person(const std::string& org) { return id_of(accepted(invite_into(org))); }
  // The TOTP code an authenticator app shows now, for an enrolment the calling person started.
  std::string totp_enrolment_code() {
    const auto started = acting.send(web, "POST", "/v1/me/totp", json::object());
    expect_status(started, 201, "totp enrolment");
    const auto secret = licensor::server::base32_decode(started.json.at("secret").get<std::string>());
    return licensor::server::totp_code(secret.value(), std::time(nullptr));
  }
  // A webhook endpoint of the caller's organisation kind (the operators', else P's) that hears
  // only test events, and one test event written for it.
  std::pair<std::string, std::string> endpoint_of(const std::string& org) {
    auto& maker = org == "operator" ? op : as_partner;
    auto made = maker.post("/v1/webhook-endpoints", {{"url", "https://hooks.example.com/" + unique_suffix()}, {"event_types", {"webhook.test"}}});
    expect_status(made, 201, "webhook endpoint");
    const std::string id = made.json.at("id");
    auto tested = maker.post("/v1/webhook-endpoints/" + id + "/test", json::object());
    expect_status(tested, 202, "webhook test");
    return {id, tested.json.at("id").get<std::string>()};
  }
  std::string key_of(const std::string& partner_id) {
    auto made = partner_id.empty() ? op.post("/v1/api-keys", {{"role", "auditor"}})
                                   : op.post("/v1/partners/" + partner_id + "/api-keys", {{"role", "helpdesk_agent"}});
    expect_status(made, 201, "api key");
    return made.json.at("id");
  }
};

// A route, who may call it, and how to make one call of it for a caller of `org` ("operator"
// or "partner"): operators act on P's records by naming P.
struct route_case {
  std::string route;
  std::string allowed;  // role names, space-separated; "*" every role
  std::function<call(roles_world&, const std::string& org)> make;
  bool fresh_person = false;  // a customer's role calls as a new colleague (the call changes how they sign in)
};

std::string for_org(const roles_world& w, const std::string& org, const std::string& target) {
  if (org != "operator") return target;
  return target + (target.find('?') == std::string::npos ? "?" : "&") + "partner_id=" + w.partner.id;
}

json with_partner(const roles_world& w, const std::string& org, json body) {
  if (org == "operator") body["partner_id"] = w.partner.id;
  return body;
}

// A partner that may not issue and has asked to be: what an operator approves or refuses.
std::string pending_partner(roles_world& w) {
  const auto waiting = partner_create(w.op, partner_spec().with_can_issue(false));
  expect_status(w.server.client(waiting.api_key).post("/v1/enabling-requests", {{"message", "please"}}), 202, "request");
  return waiting.id;
}

std::vector<route_case> route_cases() {
  const std::string operator_readers = "owner admin support billing auditor";
  const std::string partner_readers = operator_readers + " global_admin admin_agent sales_agent billing_admin helpdesk_agent";
  const std::string license_readers = partner_readers + " customer_admin customer_member";
  const std::string ledger_readers = operator_readers + " global_admin admin_agent billing_admin";
  const std::string license_changers = "owner admin global_admin admin_agent";
  const std::string self_service = license_changers + " customer_admin";
  const std::string people = "customer_admin customer_member";  // people of every kind sign in; this walk signs in customers'
  const std::string sellers = "owner admin global_admin admin_agent sales_agent";
  const std::string holders = "owner admin support global_admin admin_agent helpdesk_agent";
  const std::string webhook_readers = "owner admin support auditor global_admin";
  const std::string webhook_managers = "owner admin global_admin";
  const std::string mail_readers = "owner admin support auditor";
  const std::string letter_senders = "owner admin support global_admin admin_agent sales_agent helpdesk_agent";
  using W = roles_world;
  using O = const std::string&;
  return {
      {"GET /v1/health", "*", [](W&, O) { return call{"GET", "/v1/health"}; }},
      {"GET /v1/ready", "*", [](W&, O) { return call{"GET", "/v1/ready"}; }},
      {"GET /metrics", "owner admin support auditor", [](W&, O) { return call{"GET", "/metrics"}; }},
      {"POST /v1/backups", "owner admin", [](W&, O) { return call{"POST", "/v1/backups", json::object()}; }},
      {"GET /v1/openapi.json", "*", [](W&, O) { return call{"GET", "/v1/openapi.json"}; }},
      {"GET /v1/keyring", "*", [](W&, O) { return call{"GET", "/v1/keyring"}; }},
      {"GET /v1/roles", "*", [](W&, O) { return call{"GET", "/v1/roles"}; }},
      {"POST /v1/validate", "*", [](W& w, O) { return call{"POST", "/v1/validate", {{"token", w.license().at("token")}}}; }},
      {"POST /v1/activate", "*", [](W& w, O) {
         const auto license = w.license();
         return call{"POST", "/v1/activate", {{"activation_key", license.at("activation_key")}, {"email", license.at("email")}}};
       }},
      {"POST /v1/invitations/accept", "*", [](W& w, O) {
         const auto invited = w.invite(w.partner.id, "sales_agent");
         return call{"POST", "/v1/invitations/accept", {{"token", invited.at("invitation").at("token")}, {"password", "a long enough password"}}};
       }},
      {"POST /v1/sessions", "*", [](W& w, O) {
         const auto [email, password] = w.person();
         return call{"POST", "/v1/sessions", {{"email", email}, {"password", password}}};
       }},
      // A person's own account: API keys have none, whatever their role; people have one.
      {"GET /v1/sessions", people, [](W&, O) { return call{"GET", "/v1/sessions"}; }},
      {"DELETE /v1/sessions/{}", people, [](W& w, O) {
         // Another session of the same person (API keys get 403 before the id is looked at).
         const auto id = w.acting_email.empty() ? std::string("ses_unknown")
                                                : person_sign_in(w.web, w.server.port(), w.acting_email, person_password).id;
         return call{"DELETE", "/v1/sessions/" + id};
       }},
      {"GET /v1/session", people, [](W&, O) { return call{"GET", "/v1/session"}; }},
      {"DELETE /v1/session", people, [](W&, O) { return call{"DELETE", "/v1/session"}; }},
      {"GET /v1/me", people, [](W&, O) { return call{"GET", "/v1/me"}; }},
      {"POST /v1/me/password", people, [](W&, O) {
         return call{"POST", "/v1/me/password", {{"current_password", person_password}, {"new_password", person_password}}};
       }},
      // TOTP changes the person's sign-in, so customers' people make these calls as fresh colleagues.
      {"POST /v1/me/totp", people, [](W&, O) { return call{"POST", "/v1/me/totp", json::object()}; }, true},
      {"POST /v1/me/totp/confirm", people, [](W& w, O) {
         return call{"POST", "/v1/me/totp/confirm", {{"code", w.acting.cookie.empty() ? "123456" : w.totp_enrolment_code()}}};
       }, true},
      {"DELETE /v1/me/totp", people, [](W& w, O) {
         if (!w.acting.cookie.empty())
           expect_status(w.acting.send(w.web, "POST", "/v1/me/totp/confirm", {{"code", w.totp_enrolment_code()}}), 200, "totp on");
         return call{"DELETE", "/v1/me/totp", {{"password", person_password}}};
       }, true},
      {"GET /v1/organisation/security", "owner admin support auditor global_admin", [](W&, O) {
         return call{"GET", "/v1/organisation/security"};
       }},
      // The operators' policy is an owner's (operator_users_manage); a partner's its global_admin's.
      {"PATCH /v1/organisation/security", "owner global_admin", [](W&, O) {
         return call{"PATCH", "/v1/organisation/security", {{"require_totp", false}}};
       }},
      {"POST /v1/users/{}/password-reset", "owner global_admin customer_admin", [](W& w, O org) {
         return call{"POST", "/v1/users/" + w.own_person(org) + "/password-reset", json::object()};
       }},
      {"POST /v1/password-resets/accept", "*", [](W& w, O) {
         const auto reset = w.op.post("/v1/users/" + w.own_person("partner") + "/password-reset");
         expect_status(reset, 201, "password reset");
         return call{"POST", "/v1/password-resets/accept", {{"token", reset.json.at("token")}, {"password", "a long enough password"}}};
       }},
      // Operator users are an owner's (operator_users_manage); a partner's are its global_admin's;
      // a customer's its customer_admin's.
      {"POST /v1/users", "owner global_admin customer_admin", [](W&, O org) {
         return call{"POST", "/v1/users", {{"email", "new" + unique_suffix() + "@example.com"},
                                           {"role", org == "operator" ? "auditor" : org == "partner" ? "sales_agent" : "customer_member"}}};
       }},
      {"GET /v1/users", "owner admin support auditor global_admin customer_admin", [](W&, O) { return call{"GET", "/v1/users"}; }},
      {"GET /v1/users/{}", "owner admin support auditor global_admin customer_admin", [](W& w, O org) {
         return call{"GET", "/v1/users/" + w.id_of(w.invite_into(org))};
       }},
      {"PATCH /v1/users/{}", "owner global_admin customer_admin", [](W& w, O org) {
         return call{"PATCH", "/v1/users/" + w.id_of(w.invite_into(org)), {{"name", "renamed"}}};
       }},
      {"POST /v1/partners", "owner admin", [](W&, O) { return call{"POST", "/v1/partners", {{"name", "new"}, {"level", "bronze"}}}; }},
      {"GET /v1/partners", operator_readers, [](W&, O) { return call{"GET", "/v1/partners"}; }},
      {"GET /v1/partners/{}", operator_readers, [](W& w, O) { return call{"GET", "/v1/partners/" + w.partner.id}; }},
      {"PATCH /v1/partners/{}", "owner admin", [](W& w, O) { return call{"PATCH", "/v1/partners/" + w.partner.id, {{"name", "renamed"}}}; }},
      // Only a partner asks to be enabled (this one may issue already: asking changes nothing).
      {"POST /v1/enabling-requests", "global_admin", [](W&, O) { return call{"POST", "/v1/enabling-requests", json::object()}; }},
      {"GET /v1/enabling-requests", operator_readers, [](W&, O) { return call{"GET", "/v1/enabling-requests"}; }},
      {"POST /v1/enabling-requests/{}/approve", "owner admin", [](W& w, O) {
         return call{"POST", "/v1/enabling-requests/" + pending_partner(w) + "/approve", json::object()};
       }},
      {"POST /v1/enabling-requests/{}/refuse", "owner admin", [](W& w, O) {
         return call{"POST", "/v1/enabling-requests/" + pending_partner(w) + "/refuse", {{"reply", "not yet"}}};
       }},
      {"POST /v1/partners/{}/api-keys", "owner admin", [](W& w, O) {
         return call{"POST", "/v1/partners/" + w.partner.id + "/api-keys", {{"role", "sales_agent"}}};
       }},
      {"DELETE /v1/partners/{}/api-keys/{}", "owner admin", [](W& w, O) {
         return call{"DELETE", "/v1/partners/" + w.partner.id + "/api-keys/" + w.key_of(w.partner.id)};
       }},
      // An admin holds users_manage but not operator_users_manage: operator keys are an owner's.
      {"POST /v1/api-keys", "owner global_admin", [](W&, O) { return call{"POST", "/v1/api-keys", {{"name", "ci"}}}; }},
      {"GET /v1/api-keys", "owner admin support auditor global_admin", [](W&, O) { return call{"GET", "/v1/api-keys"}; }},
      {"DELETE /v1/api-keys/{}", "owner global_admin", [](W& w, O org) {
         return call{"DELETE", "/v1/api-keys/" + w.key_of(org == "operator" ? "" : w.partner.id)};
       }},
      {"POST /v1/products", "owner admin billing", [](W&, O) {
         return call{"POST", "/v1/products", {{"id", "p-" + unique_suffix()}, {"tiers", {"basic"}}}};
       }},
      {"GET /v1/products", partner_readers, [](W&, O) { return call{"GET", "/v1/products"}; }},
      {"GET /v1/products/{}", partner_readers, [](W& w, O) { return call{"GET", "/v1/products/" + w.product}; }},
      {"PATCH /v1/products/{}", "owner admin billing", [](W& w, O) {
         return call{"PATCH", "/v1/products/" + w.product, {{"policy", json::object()}}};
       }},
      {"GET /v1/audit", "owner admin support auditor", [](W&, O) { return call{"GET", "/v1/audit?limit=5"}; }},
      {"GET /v1/events", "owner admin support auditor", [](W&, O) { return call{"GET", "/v1/events?limit=5"}; }},
      {"GET /v1/event-types", webhook_readers, [](W&, O) { return call{"GET", "/v1/event-types"}; }},
      {"POST /v1/webhook-endpoints", webhook_managers, [](W&, O) {
         return call{"POST", "/v1/webhook-endpoints", {{"url", "https://hooks.example.com/new"}, {"event_types", {"webhook.test"}}}};
       }},
      {"GET /v1/webhook-endpoints", webhook_readers, [](W&, O) { return call{"GET", "/v1/webhook-endpoints"}; }},
      {"GET /v1/webhook-endpoints/{}", webhook_readers, [](W& w, O org) {
         return call{"GET", "/v1/webhook-endpoints/" + w.endpoint_of(org).first};
       }},
      {"PATCH /v1/webhook-endpoints/{}", webhook_managers, [](W& w, O org) {
         return call{"PATCH", "/v1/webhook-endpoints/" + w.endpoint_of(org).first, {{"description", "changed"}}};
       }},
      {"DELETE /v1/webhook-endpoints/{}", webhook_managers, [](W& w, O org) {
         return call{"DELETE", "/v1/webhook-endpoints/" + w.endpoint_of(org).first};
       }},
      {"POST /v1/webhook-endpoints/{}/rotate-secret", webhook_managers, [](W& w, O org) {
         return call{"POST", "/v1/webhook-endpoints/" + w.endpoint_of(org).first + "/rotate-secret", json::object()};
       }},
      {"POST /v1/webhook-endpoints/{}/test", webhook_managers, [](W& w, O org) {
         return call{"POST", "/v1/webhook-endpoints/" + w.endpoint_of(org).first + "/test", json::object()};
       }},
      {"POST /v1/webhook-endpoints/{}/resend", webhook_managers, [](W& w, O org) {
         const auto endpoint = w.endpoint_of(org);
         return call{"POST", "/v1/webhook-endpoints/" + endpoint.first + "/resend", {{"event_id", endpoint.second}}};
       }},
      {"GET /v1/webhook-endpoints/{}/deliveries", webhook_readers, [](W& w, O org) {
         return call{"GET", "/v1/webhook-endpoints/" + w.endpoint_of(org).first + "/deliveries"};
       }},
      {"GET /v1/mail/settings", mail_readers, [](W&, O) { return call{"GET", "/v1/mail/settings"}; }},
      {"PATCH /v1/mail/settings", "owner admin", [](W&, O) {
         return call{"PATCH", "/v1/mail/settings", {{"sender_name", "Licensing " + unique_suffix()}}};
       }},
      {"GET /v1/mail/templates", mail_readers, [](W&, O) { return call{"GET", "/v1/mail/templates"}; }},
      {"GET /v1/mail/templates/{}/{}", mail_readers, [](W&, O) { return call{"GET", "/v1/mail/templates/trial_ending/it"}; }},
      {"PUT /v1/mail/templates/{}/{}", "owner admin", [](W&, O) {
         return call{"PUT", "/v1/mail/templates/partner_enabled/es",
                     {{"subject", "Ya puede emitir"}, {"text", "Hola {{partner_name}}"}, {"html", "<p>Hola {{partner_name}}</p>"}}};
       }},
      {"DELETE /v1/mail/templates/{}/{}", "owner admin", [](W& w, O) {
         expect_status(w.op.request("PUT", "/v1/mail/templates/partner_enabled/it",
                                    json{{"subject", "s"}, {"text", "t"}, {"html", "h"}}.dump()), 200, "template");
         return call{"DELETE", "/v1/mail/templates/partner_enabled/it"};
       }},
      {"GET /v1/mail/deliveries", mail_readers, [](W&, O) { return call{"GET", "/v1/mail/deliveries"}; }},
      {"GET /v1/keys", "owner admin support auditor", [](W&, O) { return call{"GET", "/v1/keys"}; }},
      {"POST /v1/keys/rotate", "owner", [](W&, O) { return call{"POST", "/v1/keys/rotate", json::object()}; }},
      {"POST /v1/keys/{}/revoke", "owner", [](W& w, O) {
         // The key in force now, after a rotation, so revoking it leaves an active key.
         const auto active = w.op.get("/v1/keys").json.at("active_kid").get<std::string>();
         expect_status(w.op.post("/v1/keys/rotate", json::object()), 200, "rotate");
         return call{"POST", "/v1/keys/" + active + "/revoke", json::object()};
       }},
      {"POST /v1/customers", sellers, [](W& w, O org) {
         return call{"POST", "/v1/customers", with_partner(w, org, {{"email", "c" + unique_suffix() + "@example.com"}})};
       }},
      {"GET /v1/customers", partner_readers, [](W& w, O org) { return call{"GET", for_org(w, org, "/v1/customers")}; }},
      {"GET /v1/exports/customers", partner_readers, [](W& w, O org) { return call{"GET", for_org(w, org, "/v1/exports/customers")}; }},
      {"GET /v1/customers/{}", partner_readers, [](W& w, O) { return call{"GET", "/v1/customers/" + w.customer()}; }},
      {"PATCH /v1/customers/{}", "owner admin global_admin admin_agent", [](W& w, O) {
         return call{"PATCH", "/v1/customers/" + w.customer(), {{"self_service", true}}};
       }},
      {"DELETE /v1/customers/{}", "owner admin", [](W& w, O) { return call{"DELETE", "/v1/customers/" + w.customer()}; }},
      {"POST /v1/customers/{}/reassign", "owner admin", [](W& w, O) {
         return call{"POST", "/v1/customers/" + w.customer() + "/reassign", {{"partner_id", w.other.id}}};
       }},
      {"POST /v1/licenses", sellers, [](W& w, O org) {
         return call{"POST", "/v1/licenses", with_partner(w, org, {{"customer_id", w.customer()}, {"product", w.product}, {"kind", "paid"}})};
       }},
      {"GET /v1/licenses", license_readers, [](W& w, O org) { return call{"GET", for_org(w, org, "/v1/licenses")}; }},
      {"GET /v1/exports/licenses", license_readers, [](W& w, O org) { return call{"GET", for_org(w, org, "/v1/exports/licenses")}; }},
      {"GET /v1/licenses/{}", license_readers, [](W& w, O) { return call{"GET", "/v1/licenses/" + w.id_of(w.license())}; }},
      {"GET /v1/licenses/{}/token", license_readers, [](W& w, O) { return call{"GET", "/v1/licenses/" + w.id_of(w.license()) + "/token"}; }},
      {"POST /v1/licenses/{}/delivery/send", letter_senders, [](W& w, O) {
         return call{"POST", "/v1/licenses/" + w.id_of(w.license()) + "/delivery/send", json::object()};
       }},
      {"GET /v1/licenses/{}/delivery", license_readers, [](W& w, O) {
         return call{"GET", "/v1/licenses/" + w.id_of(w.license()) + "/delivery"};
       }},
      {"PATCH /v1/licenses/{}", "owner admin", [](W& w, O) {
         return call{"PATCH", "/v1/licenses/" + w.id_of(w.license()), {{"features", json::array({"export"})}}};
       }},
      {"DELETE /v1/licenses/{}", license_changers, [](W& w, O) { return call{"DELETE", "/v1/licenses/" + w.id_of(w.license())}; }},
      {"POST /v1/licenses/{}/suspend", holders, [](W& w, O) { return call{"POST", "/v1/licenses/" + w.id_of(w.license()) + "/suspend", json::object()}; }},
      {"POST /v1/licenses/{}/reinstate", holders, [](W& w, O) {
         const auto id = w.id_of(w.license());
         expect_status(w.as_partner.post("/v1/licenses/" + id + "/suspend"), 200, "suspend");
         return call{"POST", "/v1/licenses/" + id + "/reinstate", json::object()};
       }},
      {"POST /v1/licenses/{}/revoke", license_changers, [](W& w, O) { return call{"POST", "/v1/licenses/" + w.id_of(w.license()) + "/revoke", json::object()}; }},
      {"POST /v1/licenses/{}/unlink", license_changers, [](W& w, O) { return call{"POST", "/v1/licenses/" + w.id_of(w.license()) + "/unlink", json::object()}; }},
      {"POST /v1/licenses/{}/transfer", "owner admin support global_admin admin_agent", [](W& w, O) {
         return call{"POST", "/v1/licenses/" + w.id_of(w.license()) + "/transfer", {{"customer_id", w.customer()}}};
       }},
      {"POST /v1/licenses/{}/compliance-check", license_changers, [](W& w, O) {
         return call{"POST", "/v1/licenses/" + w.id_of(w.license()) + "/compliance-check", json::object()};
       }},
      {"GET /v1/compliance", operator_readers, [](W&, O) { return call{"GET", "/v1/compliance"}; }},
      {"POST /v1/campaigns", "owner admin", [](W& w, O) { return call{"POST", "/v1/campaigns", w.campaign_definition()}; }},
      {"GET /v1/campaigns", operator_readers, [](W&, O) { return call{"GET", "/v1/campaigns"}; }},
      {"GET /v1/campaigns/{}", operator_readers, [](W& w, O) { return call{"GET", "/v1/campaigns/" + w.campaign()}; }},
      {"GET /v1/campaigns/{}/dry-run", "owner admin", [](W& w, O) { return call{"GET", "/v1/campaigns/" + w.campaign() + "/dry-run"}; }},
      {"POST /v1/campaigns/{}/run", "owner admin", [](W& w, O) { return call{"POST", "/v1/campaigns/" + w.campaign() + "/run", json::object()}; }},
      {"POST /v1/compliance/sweep", "owner admin", [](W&, O) { return call{"POST", "/v1/compliance/sweep", json::object()}; }},
      {"POST /v1/imports", sellers, [](W& w, O org) {
         return call{"POST", "/v1/imports", with_partner(w, org, {{"rows", {{{"external_id", "x" + unique_suffix()},
                                                                           {"email", "i" + unique_suffix() + "@example.com"},
                                                                           {"product", w.product}, {"kind", "paid"},
                                                                           {"issued_at", "2020-01-01T00:00:00Z"}}}}})};
       }},
      {"POST /v1/subscriptions", sellers, [](W& w, O org) {
         return call{"POST", "/v1/subscriptions", with_partner(w, org, {{"customer_id", w.customer()}, {"product", w.product}, {"tier", "basic"}, {"term", "monthly"}})};
       }},
      {"POST /v1/licenses/{}/seats", self_service, [](W& w, O) { return call{"POST", "/v1/licenses/" + w.id_of(w.subscription()) + "/seats", {{"seats", 5}}}; }},
      {"POST /v1/licenses/{}/members", self_service, [](W& w, O) {
         return call{"POST", "/v1/licenses/" + w.id_of(w.subscription()) + "/members", {{"email", "m" + unique_suffix() + "@example.com"}}};
       }},
      {"DELETE /v1/licenses/{}/members", self_service, [](W& w, O) {
         const auto id = w.id_of(w.subscription());
         const auto email = "m" + unique_suffix() + "@example.com";
         expect_status(w.as_partner.post("/v1/licenses/" + id + "/members", {{"email", email}}), 201, "member");
         return call{"DELETE", "/v1/licenses/" + id + "/members", {{"email", email}}};
       }},
      {"GET /v1/licenses/{}/members", license_readers, [](W& w, O) { return call{"GET", "/v1/licenses/" + w.id_of(w.subscription()) + "/members"}; }},
      {"POST /v1/licenses/{}/upgrade", self_service, [](W& w, O) { return call{"POST", "/v1/licenses/" + w.id_of(w.subscription()) + "/upgrade", {{"tier", "pro"}}}; }},
      {"POST /v1/licenses/{}/scheduled-change", self_service, [](W& w, O) {
         return call{"POST", "/v1/licenses/" + w.id_of(w.subscription()) + "/scheduled-change", {{"seats", 2}}};
       }},
      {"DELETE /v1/licenses/{}/scheduled-change", self_service, [](W& w, O) {
         const auto id = w.id_of(w.subscription());
         expect_status(w.as_partner.post("/v1/licenses/" + id + "/scheduled-change", {{"seats", 2}}), 200, "scheduled change");
         return call{"DELETE", "/v1/licenses/" + id + "/scheduled-change"};
       }},
      {"POST /v1/licenses/{}/auto-renew", self_service, [](W& w, O) { return call{"POST", "/v1/licenses/" + w.id_of(w.subscription()) + "/auto-renew", {{"on", false}}}; }},
      {"POST /v1/licenses/{}/cancel", self_service, [](W& w, O) { return call{"POST", "/v1/licenses/" + w.id_of(w.subscription()) + "/cancel", json::object()}; }},
      {"POST /v1/licenses/{}/reactivate", license_changers, [](W& w, O) {
         const auto id = w.id_of(w.subscription());
         expect_status(w.as_partner.post("/v1/licenses/" + id + "/suspend"), 200, "suspend");
         return call{"POST", "/v1/licenses/" + id + "/reactivate", json::object()};
       }},
      {"POST /v1/licenses/{}/convert", self_service, [](W& w, O) {
         return call{"POST", "/v1/licenses/" + w.id_of(w.subscription({{"trial", true}})) + "/convert", {{"term", "monthly"}}};
       }},
      {"GET /v1/licenses/{}/ledger", ledger_readers, [](W& w, O) { return call{"GET", "/v1/licenses/" + w.id_of(w.subscription()) + "/ledger"}; }},
      {"GET /v1/ledger", ledger_readers, [](W& w, O org) { return call{"GET", for_org(w, org, "/v1/ledger")}; }},
      {"GET /v1/exports/ledger", ledger_readers, [](W& w, O org) { return call{"GET", for_org(w, org, "/v1/exports/ledger")}; }},
      {"GET /v1/usage", ledger_readers, [](W& w, O org) { return call{"GET", for_org(w, org, "/v1/usage")}; }},
      {"GET /v1/activity", partner_readers, [](W& w, O org) { return call{"GET", for_org(w, org, "/v1/activity")}; }},
  };
}

bool allowed_for(const route_case& c, const std::string& role) {
  if (c.allowed == "*") return true;
  if (c.allowed.empty()) return false;
  std::istringstream names(c.allowed);
  std::string name;
  while (names >> name)
    if (name == role) return true;
  return false;
}

response send(https_client& client, const call& c) {
  return client.request(c.method, c.target, c.body.is_null() ? std::string() : c.body.dump());
}

}  // namespace

TEST_CASE("every role across every route: permitted calls succeed, the others answer 403") {
  roles_world w;
  std::map<std::string, std::string> keys;  // role -> API key
  for (const auto& role : operator_roles) {
    auto made = w.op.post("/v1/api-keys", {{"role", role}, {"name", role}});
    expect_status(made, 201, "operator key");
    CHECK(made.json.at("role") == role);
    keys[role] = made.json.at("api_key");
  }
  for (const auto& role : partner_roles) {
    auto made = w.op.post("/v1/partners/" + w.partner.id + "/api-keys", {{"role", role}, {"name", role}});
    expect_status(made, 201, "partner key");
    keys[role] = made.json.at("api_key");
  }
  const auto cases = route_cases();
  // The table covers every route the server serves but the test clock (off here: 404 for all).
  std::set<std::string> covered;
  for (const auto& c : cases) covered.insert(c.route);
  const auto roles = w.server.client().get("/v1/openapi.json").json;
  std::set<std::string> documented;
  for (const auto& [path, operations] : roles.at("paths").items())
    for (const auto& [method, operation] : operations.items()) {
      if (method == "parameters" || path == "/v1/test/clock") continue;
      std::string upper = method;
      for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      std::string pattern = path;
      for (std::size_t open = pattern.find('{'); open != std::string::npos; open = pattern.find('{', open + 2))
        pattern.replace(open, pattern.find('}', open) - open + 1, "{}");
      documented.insert(upper + " " + pattern);
    }
  CHECK(covered == documented);

  // A customer whose partner allows self-service, with one person of each customer role; the
  // member's email is the customer's, so the member holds the seat of every license issued to it.
  const auto customer = customer_fresh(w.as_partner, "self");
  const std::string customer_id = customer.at("id");
  expect_status(w.as_partner.request("PATCH", "/v1/customers/" + customer_id, json{{"self_service", true}}.dump()), 200,
                "self-service on");
  std::map<std::string, std::string> people;  // customer role -> email
  people["customer_admin"] = "admin" + unique_suffix() + "@example.com";
  people["customer_member"] = customer.at("email");
  for (const auto& entry : people)
    (void)person_invite_accept(w.op, w.web, {{"email", entry.second}, {"role", entry.first}, {"customer_id", customer_id}},
                               person_password);

  const auto check = [](const route_case& c, const std::string& role, const response& reply) {
    INFO(c.route, " as ", role, ": ", reply.status, " ", reply.body);
    if (allowed_for(c, role)) {
      CHECK(reply.status >= 200);
      CHECK(reply.status < 300);
    } else {
      CHECK_ERROR(reply, 403, "forbidden");
    }
  };
  std::size_t calls = 0;
  for (const auto& c : cases) {
    for (const auto& entry : keys) {
      const std::string& role = entry.first;  // named, not bound: clang 14 cannot capture a binding in INFO
      const bool is_operator = std::find(operator_roles.begin(), operator_roles.end(), role) != operator_roles.end();
      const auto made = c.make(w, is_operator ? "operator" : "partner");
      auto client = w.server.client(entry.second);
      check(c, role, send(client, made));
      ++calls;
    }
    for (const auto& entry : people) {
      const std::string& role = entry.first;
      w.acting_customer = customer_id;
      w.acting_email = entry.second;
      if (c.fresh_person)
        w.acting_email = person_invite_accept(w.op, w.web, {{"email", "colleague" + unique_suffix() + "@example.com"}, {"role", role},
                                                           {"customer_id", customer_id}},
                                              person_password)
                             .at("email");
      w.acting = person_sign_in(w.web, w.server.port(), w.acting_email, person_password);
      const auto made = c.make(w, "customer");
      check(c, role, w.acting.send(w.web, made.method, made.target, made.body));
      w.acting_customer.clear();
      w.acting_email.clear();
      w.acting = {};
      ++calls;
    }
  }
  MESSAGE(calls << " calls checked across " << cases.size() << " routes and " << keys.size() + people.size() << " roles");
  auto clock = w.op.post("/v1/test/clock", {{"now", "2030-01-01T00:00:00Z"}});
  CHECK(clock.status == 404);
}

TEST_CASE("a partner's keys of every role see another partner's records as not found") {
  roles_world w;
  auto theirs = w.server.client(w.other.api_key);
  const auto their_customer = customer_fresh(theirs, "theirs").at("id").get<std::string>();
  const auto their_license = license_issue(theirs, {their_customer, w.product, "paid"}).at("id").get<std::string>();
  for (const auto& role : partner_roles) {
    auto made = w.op.post("/v1/partners/" + w.partner.id + "/api-keys", {{"role", role}});
    expect_status(made, 201, "partner key");
    auto mine = w.server.client(made.json.at("api_key"));
    INFO("role ", role);
    CHECK_ERROR(mine.get("/v1/customers/" + their_customer), 404, "customer_not_found");
    CHECK_ERROR(mine.get("/v1/licenses/" + their_license), 404, "license_not_found");
    for (const auto& item : mine.get("/v1/licenses").json.value("items", json::array())) CHECK(item.at("id") != their_license);
  }
}

TEST_CASE("API keys: a role of another organisation kind, an expired key, a revoked key, the last use") {
  roles_world w;
  CHECK_ERROR(w.op.post("/v1/partners/" + w.partner.id + "/api-keys", {{"role", "owner"}}), 400, "bad_request");
  CHECK_ERROR(w.op.post("/v1/api-keys", {{"role", "global_admin"}}), 400, "bad_request");
  CHECK_ERROR(w.op.post("/v1/api-keys", {{"role", "superuser"}}), 400, "bad_request");
  CHECK_ERROR(w.op.post("/v1/api-keys", {{"expires_at", "2001-01-01T00:00:00Z"}}), 400, "bad_request");

  // A key made before keys had roles is its organisation's top role: the partner's first key
  // was made without one, and may manage the partner's keys.
  auto own = w.as_partner.post("/v1/api-keys", {{"role", "helpdesk_agent"}, {"name", "desk"}});
  expect_status(own, 201, "own key");
  CHECK(own.json.at("partner_id") == w.partner.id);
  CHECK(own.json.at("last_used_at").is_null());
  auto desk = w.server.client(own.json.at("api_key"));
  expect_status(desk.get("/v1/licenses"), 200, "a read");
  const auto listed = w.as_partner.get("/v1/api-keys");
  expect_status(listed, 200, "list");
  bool found = false;
  for (const auto& key : listed.json.at("items")) {
    CHECK_FALSE(key.contains("api_key"));  // the secret is shown once, never listed
    if (key.at("id") == own.json.at("id")) {
      found = true;
      CHECK(key.at("role") == "helpdesk_agent");
      CHECK(key.at("name") == "desk");
    }
    CHECK(key.at("partner_id") == w.partner.id);  // never another organisation's keys
  }
  CHECK(found);
  // Its last use is recorded without holding the request; it shows soon after.
  bool used = false;
  for (int attempt = 0; attempt < 50 && !used; ++attempt) {
    const auto keys = w.as_partner.get("/v1/api-keys");
    for (const auto& key : keys.json.at("items"))
      if (key.at("id") == own.json.at("id") && key.at("last_used_at").is_string()) used = true;
    if (!used) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(used);

  expect_status(w.as_partner.del("/v1/api-keys/" + own.json.at("id").get<std::string>()), 200, "revoke");
  CHECK_ERROR(desk.get("/v1/licenses"), 401, "unauthorized");
  // Another partner's key id is not found, never revoked.
  auto theirs = w.server.client(w.other.api_key);
  const auto their_key = theirs.post("/v1/api-keys", json::object()).json.at("id").get<std::string>();
  CHECK_ERROR(w.as_partner.del("/v1/api-keys/" + their_key), 404, "not_found");

  // An expired key is refused like an unknown one.
  const auto soon = licensor::rfc3339_format(std::time(nullptr) + 2);
  auto brief = w.as_partner.post("/v1/api-keys", {{"role", "sales_agent"}, {"expires_at", soon}});
  expect_status(brief, 201, "brief key");
  auto briefly = w.server.client(brief.json.at("api_key"));
  expect_status(briefly.get("/v1/customers"), 200, "before expiry");
  std::this_thread::sleep_for(std::chrono::milliseconds(3'100));
  CHECK_ERROR(briefly.get("/v1/customers"), 401, "unauthorized");
}
