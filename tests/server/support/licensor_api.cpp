#include "support/licensor_api.hpp"

#include <stdexcept>

#include "licensor/paseto.hpp"

namespace licensor::testing {

std::string unique_suffix() {
  static std::atomic<unsigned> next{0};
  return "u" + std::to_string(++next);
}

void expect_status(const response& r, unsigned status, std::string_view what) {
  if (r.status != status)
    throw std::runtime_error(std::string(what) + ": expected HTTP " + std::to_string(status) + ", got " +
                             std::to_string(r.status) + ": " + r.body);
}

partner_account partner_create(https_client& as_operator, const partner_spec& spec) {
  const nlohmann::json body{{"name", spec.name + " " + unique_suffix()},
                            {"level", spec.level},
                            {"email_domains", spec.email_domains},
                            {"can_issue", spec.can_issue}};
  auto created = as_operator.post("/v1/partners", body);
  expect_status(created, 201, "create partner");
  partner_account account;
  account.id = created.json.at("id").get<std::string>();
  account.view = created.json;
  auto key = as_operator.post("/v1/partners/" + account.id + "/api-keys", {{"label", "tests"}});
  expect_status(key, 201, "create API key");
  account.api_key = key.json.at("api_key").get<std::string>();
  return account;
}

std::string product_create(https_client& as_operator, std::string id, std::vector<std::string> tiers) {
  if (id.empty()) id = "product-" + unique_suffix();
  auto created = as_operator.post("/v1/products", {{"id", id}, {"name", "Product " + id}, {"tiers", tiers}});
  expect_status(created, 201, "create product");
  return id;
}

response customer_create_try(https_client& as_partner, const std::string& email) {
  return as_partner.post("/v1/customers", {{"email", email}, {"name", "Customer"}});
}

nlohmann::json customer_create(https_client& as_partner, const std::string& email) {
  auto created = customer_create_try(as_partner, email);
  expect_status(created, 201, "create customer " + email);
  return created.json;
}

nlohmann::json customer_fresh(https_client& as_partner, const std::string& local_part) {
  return customer_create(as_partner, local_part + "." + unique_suffix() + "@example.com");
}

nlohmann::json license_body(const license_request& request) {
  nlohmann::json body{{"customer_id", request.customer_id}, {"product", request.product}, {"kind", request.kind}};
  body.update(request.extra);
  return body;
}

response license_issue_try(https_client& as_partner, const license_request& request, const header_list& headers) {
  return as_partner.post("/v1/licenses", license_body(request), headers);
}

nlohmann::json license_issue(https_client& as_partner, const license_request& request) {
  auto issued = license_issue_try(as_partner, request);
  expect_status(issued, 201, "issue license");
  return issued.json;
}

std::uint32_t free_used(https_client& as_partner) {
  auto usage = as_partner.get("/v1/usage");
  expect_status(usage, 200, "usage");
  return usage.json.at("free_licenses_used").get<std::uint32_t>();
}

std::vector<nlohmann::json> listing_all(https_client& client, const std::string& path) {
  const auto join = path.find('?') == std::string::npos ? "?" : "&";
  std::vector<nlohmann::json> items;
  std::string after;
  for (;;) {
    auto page = client.get(path + join + "limit=500" + (after.empty() ? std::string() : "&after=" + after));
    expect_status(page, 200, path);
    for (auto& item : page.json.at("items")) items.push_back(std::move(item));
    if (page.json.at("next").is_null()) return items;
    after = page.json.at("next").get<std::string>();
  }
}

std::vector<nlohmann::json> audit_all(https_client& as_operator) { return listing_all(as_operator, "/v1/audit"); }

std::vector<nlohmann::json> audit_entries(https_client& as_operator, std::string_view action) {
  auto entries = audit_all(as_operator);
  std::erase_if(entries, [&](const nlohmann::json& entry) { return entry.at("action") != action; });
  return entries;
}

std::string validate_code(https_client& anyone, const nlohmann::json& body) {
  auto answer = anyone.post("/v1/validate", body);
  expect_status(answer, 200, "validate");
  return answer.json.at("code").get<std::string>();
}

nlohmann::json token_claims_untrusted(const std::string& token) {
  auto parsed = paseto_parse(token);
  if (!parsed) throw std::runtime_error("not a v4.public token: " + token);
  return nlohmann::json::parse(parsed->untrusted_payload);
}

std::string token_kid_untrusted(const std::string& token) {
  auto parsed = paseto_parse(token);
  if (!parsed) throw std::runtime_error("not a v4.public token: " + token);
  return nlohmann::json::parse(parsed->untrusted_footer).at("kid").get<std::string>();
}

nlohmann::json person_invite_accept(https_client& inviter, https_client& web, const nlohmann::json& invitation,
                                    const std::string& password) {
  auto invited = inviter.post("/v1/users", invitation);
  expect_status(invited, 201, "invite a person");
  expect_status(web.post("/v1/invitations/accept", {{"token", invited.json.at("invitation").at("token")}, {"password", password}}),
                200, "accept an invitation");
  return invited.json;
}

response person_session::send(https_client& web, std::string_view method, std::string_view target,
                              const nlohmann::json& body) const {
  const bool reads = method == "GET" || method == "HEAD";
  return web.request(method, target, body.is_null() ? std::string() : body.dump(), reads ? reading() : changing());
}

person_session person_sign_in(https_client& web, unsigned short port, const std::string& email,
                              const std::string& password) {
  const auto answer = web.post("/v1/sessions", {{"email", email}, {"password", password}});
  expect_status(answer, 201, "sign in");
  const auto set_cookie = answer.header("set-cookie");
  return {set_cookie.substr(0, set_cookie.find(';')), answer.json.at("csrf_token"),
          "https://127.0.0.1:" + std::to_string(port), answer.json.at("session").at("id")};
}

}  // namespace licensor::testing
