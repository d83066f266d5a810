// DESIGN 6: durable commits. A graceful stop (SIGTERM, exit 0) and a restart keep everything;
// so does a SIGKILL right after the answers came back.
#include <chrono>
#include <thread>

#include "server_test.hpp"

using namespace licensor::testing;

namespace {

struct snapshot {
  nlohmann::json partner;
  nlohmann::json customers;
  nlohmann::json licenses;
  nlohmann::json usage;
  nlohmann::json keyring_version;
  std::size_t audit_entries = 0;
};

snapshot snapshot_take(licensord_process& server, const partner_account& partner) {
  auto as_operator = server.operator_client();
  auto as_partner = server.client(partner.api_key);
  snapshot out;
  out.partner = as_operator.get("/v1/partners/" + partner.id).json;
  out.customers = as_partner.get("/v1/customers?limit=500").json;
  out.licenses = as_partner.get("/v1/licenses?limit=500").json;
  out.usage = as_partner.get("/v1/usage").json;
  out.keyring_version = as_operator.get("/v1/keyring").json.at("version");
  out.audit_entries = as_operator.get("/v1/audit?limit=500").json.at("items").size();
  return out;
}

void snapshot_check(licensord_process& server, const partner_account& partner, const snapshot& before) {
  const auto after = snapshot_take(server, partner);
  CHECK(after.partner == before.partner);
  CHECK(after.customers == before.customers);
  CHECK(after.licenses == before.licenses);
  CHECK(after.usage == before.usage);
  CHECK(after.keyring_version == before.keyring_version);
  CHECK(after.audit_entries == before.audit_entries);
}

}  // namespace

TEST_CASE("a graceful stop and a restart keep all data") {
  licensord_process server;
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator);
  auto as_partner = server.client(partner.api_key);
  std::vector<nlohmann::json> licenses;
  for (int i = 0; i < 3; ++i) licenses.push_back(license_issue(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product}));
  REQUIRE(as_partner.post("/v1/licenses/" + licenses[1].at("id").get<std::string>() + "/suspend").status == 200);
  const auto before = snapshot_take(server, partner);
  REQUIRE(before.usage.at("free_licenses_used") == 3);

  CHECK(server.stop() == 0);
  CHECK_FALSE(server.running());
  server.restart();
  snapshot_check(server, partner, before);

  auto anyone = server.client();
  CHECK(validate_code(anyone, {{"token", licenses[0].at("token")}}) == "valid");
  CHECK(validate_code(anyone, {{"token", licenses[1].at("token")}}) == "suspended");
  const auto activated = anyone.post("/v1/activate", {{"activation_key", licenses[2].at("activation_key")},
                                                       {"email", licenses[2].at("email")}});
  CHECK(activated.status == 200);
  // The kept counter still enforces the cap: two more, then refused.
  as_partner = server.client(partner.api_key);
  for (int i = 0; i < 2; ++i) CHECK(license_issue_try(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product}).status == 201);
  CHECK_ERROR(license_issue_try(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product}), 422,
              "partner_cap_reached");
  CHECK(free_used(as_partner) == 5);
  CHECK(server.stop() == 0);
  INFO("stderr: ", server.stderr_text());
  CHECK(server.stderr_text().find("stopped cleanly") != std::string::npos);
}

TEST_CASE("answered changes survive a SIGKILL") {
  licensord_process server;
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator);
  auto as_partner = server.client(partner.api_key);
  for (int i = 0; i < 2; ++i) (void)license_issue(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product});
  const auto before = snapshot_take(server, partner);
  server.kill();
  server.restart();
  snapshot_check(server, partner, before);
  CHECK(server.stop() == 0);
}

TEST_CASE("SIGTERM while clients hold keep-alive connections still exits 0") {
  licensord_process server;
  auto first = server.client();
  auto second = server.operator_client();
  REQUIRE(first.get("/v1/health").status == 200);
  REQUIRE(second.get("/v1/partners").status == 200);
  CHECK(server.stop(std::chrono::seconds(20)) == 0);
}

TEST_CASE("an operator token replaced from the environment works at once, the old one stops, and it is audited") {
  licensord_process server;
  const auto old_token = server.operator_token();
  REQUIRE(server.stop() == 0);
  server.operator_token_set("lop_replaced_" + unique_suffix() + std::string(32, 'r'));
  server.restart();
  auto as_operator = server.operator_client();
  CHECK(as_operator.get("/v1/partners").status == 200);
  CHECK_ERROR(server.client(old_token).get("/v1/partners"), 401, "unauthorized");
  std::vector<nlohmann::json> replaced;
  for (int attempt = 0; attempt < 50 && replaced.empty(); ++attempt) {
    replaced = audit_entries(as_operator, "operator_token.replace");
    if (replaced.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(replaced.size() == 1);
  CHECK(replaced[0].at("actor") == "environment");
  CHECK(replaced[0].dump().find(server.operator_token()) == std::string::npos);
}
