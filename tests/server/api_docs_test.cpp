// The OpenAPI document and the audit log.
#include <regex>
#include <set>

#include "server_test.hpp"

using namespace licensor::testing;

TEST_CASE("GET /v1/openapi.json is an OpenAPI 3.1 document that lists every route") {
  auto anyone = shared_server().client();
  const auto document = anyone.get("/v1/openapi.json");
  REQUIRE(document.status == 200);
  CHECK(document.header("content-type").starts_with("application/json"));
  REQUIRE(document.json.is_object());
  CHECK(document.json.at("openapi").get<std::string>().starts_with("3.1"));
  REQUIRE(document.json.contains("paths"));
  // Path parameters are named in the document; compare with "{}" as in the route table.
  std::set<std::string> documented;
  const std::regex parameter("\\{[^}]*\\}");
  for (const auto& [path, operations] : document.json.at("paths").items())
    for (const auto& [method, operation] : operations.items()) {
      std::string upper = method;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(upper + " " + std::regex_replace(path, parameter, "{}"));
    }
  for (const char* route : {"GET /v1/health", "GET /v1/openapi.json", "GET /v1/keyring", "POST /v1/activate",
                            "POST /v1/validate", "POST /v1/partners", "GET /v1/partners", "GET /v1/partners/{}",
                            "PATCH /v1/partners/{}", "POST /v1/partners/{}/api-keys", "DELETE /v1/partners/{}/api-keys/{}",
                            "POST /v1/products", "GET /v1/products", "GET /v1/products/{}", "GET /v1/audit",
                            "POST /v1/keys/rotate", "POST /v1/keys/{}/revoke", "POST /v1/customers", "GET /v1/customers",
                            "GET /v1/customers/{}", "POST /v1/licenses", "GET /v1/licenses", "GET /v1/licenses/{}",
                            "DELETE /v1/licenses/{}", "GET /v1/licenses/{}/token", "POST /v1/licenses/{}/suspend",
                            "POST /v1/licenses/{}/reinstate", "POST /v1/licenses/{}/revoke", "POST /v1/licenses/{}/unlink",
                            "POST /v1/licenses/{}/transfer", "GET /v1/usage", "PATCH /v1/products/{}",
                            "DELETE /v1/customers/{}", "POST /v1/customers/{}/reassign"}) {
    CAPTURE(route);
    CHECK(documented.count(route) == 1);
  }
}

TEST_CASE("every operation of GET /v1/openapi.json has a unique operationId, a defined tag and described errors") {
  auto anyone = shared_server().client();
  const auto document = anyone.get("/v1/openapi.json").json;
  REQUIRE(document.is_object());
  std::set<std::string> tags;
  for (const auto& tag : document.at("tags")) {
    CHECK_FALSE(tag.value("description", "").empty());
    tags.insert(tag.at("name").get<std::string>());
  }
  const auto& shared_responses = document.at("components").at("responses");
  const std::regex camel_case("[a-z][A-Za-z0-9]*");
  std::set<std::string> ids;
  // Named copies, not structured bindings: clang 14 cannot capture those in CAPTURE's lambda.
  for (const auto& path_item : document.at("paths").items())
    for (const auto& operation_item : path_item.value().items()) {
      const std::string path = path_item.key();
      const std::string method = operation_item.key();
      const auto& operation = operation_item.value();
      if (method == "parameters") continue;
      CAPTURE(method);
      CAPTURE(path);
      const auto id = operation.value("operationId", "");
      CHECK(std::regex_match(id, camel_case));
      CHECK(ids.insert(id).second);
      REQUIRE(operation.contains("tags"));
      CHECK(operation.at("tags").size() == 1);
      for (const auto& tag : operation.at("tags")) CHECK(tags.count(tag.get<std::string>()) == 1);
      bool refusal = false;
      for (const auto& response_item : operation.at("responses").items()) {
        const std::string status = response_item.key();
        const auto& answer = response_item.value();
        if (status.starts_with("2")) continue;
        CAPTURE(status);
        refusal = refusal || status.starts_with("4");
        // A 5xx may have a body of its own (GET /v1/ready's 503 says which check failed).
        if (status.starts_with("5") && !answer.contains("$ref")) {
          CHECK_FALSE(answer.value("description", "").empty());
          continue;
        }
        // Errors are the shared responses: a description and the Error body.
        REQUIRE(answer.contains("$ref"));
        const auto name = answer.at("$ref").get<std::string>().substr(std::string("#/components/responses/").size());
        REQUIRE(shared_responses.contains(name));
        const auto& shared = shared_responses.at(name);
        CHECK_FALSE(shared.value("description", "").empty());
        CHECK(shared.at("content").at("application/json").at("schema").at("$ref") == "#/components/schemas/Error");
      }
      CHECK(refusal);
    }
}

TEST_CASE("GET /v1/audit lists every change with seq, at, actor, action and target") {
  auto& server = shared_server();
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator);
  auto as_partner = server.client(partner.api_key);
  const auto customer = customer_fresh(as_partner)["id"].get<std::string>();
  const auto license = license_issue(as_partner, {customer, product});
  REQUIRE(as_partner.post("/v1/licenses/" + license.at("id").get<std::string>() + "/suspend").status == 200);

  const auto entries = audit_all(as_operator);
  REQUIRE_FALSE(entries.empty());
  std::uint64_t previous = 0;
  for (const auto& entry : entries) {
    CAPTURE(entry.dump());
    REQUIRE(entry.at("seq").is_number_unsigned());
    CHECK(entry.at("seq").get<std::uint64_t>() > previous);
    previous = entry.at("seq").get<std::uint64_t>();
    CHECK(entry.at("at").is_string());
    CHECK(entry.at("actor").is_string());
    CHECK(entry.at("action").is_string());
    CHECK(entry.at("target").is_string());
  }
  auto find = [&](const std::string& action, const std::string& target) -> const nlohmann::json* {
    for (const auto& entry : entries)
      if (entry.at("action") == action && entry.at("target") == target) return &entry;
    return nullptr;
  };
  const auto* created = find("partner.create", partner.id);
  REQUIRE(created != nullptr);
  CHECK(created->at("actor") == "operator");
  CHECK(find("product.create", product) != nullptr);
  const auto* customer_entry = find("customer.create", customer);
  REQUIRE(customer_entry != nullptr);
  CHECK(customer_entry->at("actor").get<std::string>().starts_with("partner:" + partner.id + ":"));
  CHECK(find("license.issue", license.at("id").get<std::string>()) != nullptr);
  CHECK(find("license.suspend", license.at("id").get<std::string>()) != nullptr);
  // The audit log never shows secrets.
  for (const auto& entry : entries) CHECK(entry.dump().find(partner.api_key) == std::string::npos);
}
