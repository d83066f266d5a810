// Small helpers that set up data through licensord's API: partners with API keys, products,
// customers, licenses. Each expects success and throws std::runtime_error (with the status and
// body) otherwise, so a broken setup step reads as such instead of as a rule failure.
// The `*_try` variants return the raw response for tests that expect refusals.
#pragma once

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "support/https_client.hpp"

namespace licensor::testing {

struct partner_spec {
  std::string level = "bronze";
  std::vector<std::string> email_domains;
  bool can_issue = true;
  std::string name = "test partner";

  // Chainable setters: partner_spec().with_level("gold").with_can_issue(false).
  partner_spec& with_level(std::string value) { level = std::move(value); return *this; }
  partner_spec& with_domains(std::vector<std::string> value) { email_domains = std::move(value); return *this; }
  partner_spec& with_can_issue(bool value) { can_issue = value; return *this; }
};

struct partner_account {
  std::string id;
  std::string api_key;
  nlohmann::json view;  ///< the partner as created
};

/// A process-wide unique suffix for names and emails ("u1", "u2", ...).
std::string unique_suffix();

/// Throws unless `r.status == status`.
void expect_status(const response& r, unsigned status, std::string_view what);

/// POST /v1/partners then POST /v1/partners/{id}/api-keys, as the operator.
partner_account partner_create(https_client& as_operator, const partner_spec& spec = {});
/// POST /v1/products as the operator. Returns the product id.
std::string product_create(https_client& as_operator, std::string id = {},
                           std::vector<std::string> tiers = {"standard", "pro"});
/// POST /v1/customers as a partner. Returns the customer view (id, email, ...).
nlohmann::json customer_create(https_client& as_partner, const std::string& email);
response customer_create_try(https_client& as_partner, const std::string& email);
/// A fresh customer with a unique email at example.com.
nlohmann::json customer_fresh(https_client& as_partner, const std::string& local_part = "customer");

struct license_request {
  std::string customer_id;
  std::string product;
  std::string kind = "free";
  nlohmann::json extra = nlohmann::json::object();  ///< merged into the body
};
nlohmann::json license_body(const license_request& request);
/// POST /v1/licenses, expecting 201. Returns the license view.
nlohmann::json license_issue(https_client& as_partner, const license_request& request);
response license_issue_try(https_client& as_partner, const license_request& request, const header_list& headers = {});

/// GET /v1/usage as the partner: free_licenses_used.
std::uint32_t free_used(https_client& as_partner);
/// POST /v1/validate with `body`; returns the answer's "code" (throws unless 200).
std::string validate_code(https_client& anyone, const nlohmann::json& body);

/// Every item of the paged listing `path` (which may carry a query), following "next" page after
/// page of 500. Throws unless each page is a 200.
std::vector<nlohmann::json> listing_all(https_client& client, const std::string& path);

/// GET /v1/audit as the operator, every page: the whole log, oldest first.
std::vector<nlohmann::json> audit_all(https_client& as_operator);
/// The audit entries whose action is `action`.
std::vector<nlohmann::json> audit_entries(https_client& as_operator, std::string_view action);

/// An invited person (POST /v1/users as `inviter`, `invitation` merged into the body) who
/// accepted with `password` through `web`. Returns the user as invited.
nlohmann::json person_invite_accept(https_client& inviter, https_client& web, const nlohmann::json& invitation,
                                    const std::string& password);

/// A signed-in person as a browser holds them: the session cookie and its CSRF token, sent the
/// way a page of this server sends them (the cookie on every request; on changes also
/// X-CSRF-Token and this server's Origin).
struct person_session {
  std::string cookie;  ///< "__Host-licensor_session=<secret>"
  std::string csrf;
  std::string origin;  ///< "https://127.0.0.1:<port>"
  std::string id = {}; ///< the session's public id
  header_list reading() const { return {{"Cookie", cookie}}; }
  header_list changing() const { return {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Origin", origin}}; }
  /// Sends one request as this person through `web` (a client without a bearer).
  response send(https_client& web, std::string_view method, std::string_view target,
                const nlohmann::json& body = nullptr) const;
};

/// POST /v1/sessions through `web` (a client of the server on `port`), expecting 201.
person_session person_sign_in(https_client& web, unsigned short port, const std::string& email,
                              const std::string& password);

/// The claims of a v4.public token, read without verifying it (tests only).
nlohmann::json token_claims_untrusted(const std::string& token);
/// The kid in a token's footer, read without verifying it (tests only).
std::string token_kid_untrusted(const std::string& token);

}  // namespace licensor::testing
