// DESIGN 4.1, 4.3, 4.5: unique syntax-checked emails, one free license per customer per
// product, no free licenses to the partner's own domains.
#include "licensor/rfc3339.hpp"
#include "server_test.hpp"

using namespace licensor::testing;

namespace {

// A licensord of its own on the test clock, set to `start`: free tokens expire with time.
struct clocked_server {
  licensord_process server{{"--test-clock"}};
  https_client as_operator = server.operator_client();
  const std::int64_t start = 1'900'000'000;
  clocked_server() { clock_set(start); }
  void clock_set(std::int64_t at) {
    REQUIRE(as_operator.post("/v1/test/clock", {{"now", licensor::rfc3339_format(at)}}).status == 200);
  }
};

}  // namespace

TEST_CASE("customer emails are unique whatever their case and surrounding spaces") {
  auto& server = shared_server();
  auto as_operator = server.operator_client();
  const auto a = partner_create(as_operator);
  const auto b = partner_create(as_operator);
  auto as_a = server.client(a.api_key);
  auto as_b = server.client(b.api_key);
  const auto local = "ann." + unique_suffix();
  const auto created = customer_create(as_a, "  " + local + "@Example.COM\t");
  CHECK(created.at("email") == local + "@example.com");

  for (const auto& variant : {local + "@example.com", " " + local + "@EXAMPLE.com ", "\t" + local + "@example.com",
                              local + "@example.com   "}) {
    CAPTURE(variant);
    CHECK_ERROR(customer_create_try(as_a, variant), 409, "email_taken");
    CHECK_ERROR(customer_create_try(as_b, variant), 409, "email_taken");  // unique across partners
  }
  std::string upper = local;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK_ERROR(customer_create_try(as_a, upper + "@example.com"), 409, "email_taken");
  CHECK(as_a.get("/v1/customers").json.at("items").size() == 1);
  CHECK(as_b.get("/v1/customers").json.at("items").empty());
}

TEST_CASE("invalid emails are refused with invalid_email") {
  auto& server = shared_server();
  auto as_operator = server.operator_client();
  auto as_partner = server.client(partner_create(as_operator).api_key);
  for (const char* bad : {"", "   ", "ann", "ann@", "@example.com", "ann@example", "ann@@example.com",
                          "a@b@example.com", "ann@exa mple.com", "ann@-example.com", "an..n@example.com"}) {
    CAPTURE(bad);
    CHECK_ERROR(customer_create_try(as_partner, bad), 422, "invalid_email");
  }
  CHECK_ERROR(as_partner.post("/v1/customers", {{"name", "no email"}}), 400, "bad_request");
  CHECK_ERROR(as_partner.post("/v1/customers", {{"email", 42}}), 400, "bad_request");
  CHECK(as_partner.get("/v1/customers").json.at("items").empty());
}

TEST_CASE("no free license to the partner's own domain or its subdomains") {
  auto& server = shared_server();
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator, partner_spec().with_domains({"ACME.com"}));
  CHECK(partner.view.at("email_domains") == nlohmann::json::array({"acme.com"}));
  auto as_partner = server.client(partner.api_key);
  const auto tag = unique_suffix();
  // Email uniqueness is store-wide, so each test run uses its own local parts.
  const auto own = customer_create(as_partner, "x" + tag + "@acme.com")["id"].get<std::string>();
  const auto own_sub = customer_create(as_partner, "x" + tag + "@sales.acme.com")["id"].get<std::string>();
  const auto own_upper = customer_create(as_partner, "Y" + tag + "@Deep.Sales.ACME.COM")["id"].get<std::string>();
  const auto lookalike = customer_create(as_partner, "x" + tag + "@evilacme.com")["id"].get<std::string>();
  const auto suffix_trick = customer_create(as_partner, "x" + tag + "@acme.com.example.net")["id"].get<std::string>();

  CHECK_ERROR(license_issue_try(as_partner, {own, product}), 422, "partner_domain_email");
  CHECK_ERROR(license_issue_try(as_partner, {own_sub, product}), 422, "partner_domain_email");
  CHECK_ERROR(license_issue_try(as_partner, {own_upper, product}), 422, "partner_domain_email");
  CHECK(free_used(as_partner) == 0);
  CHECK(license_issue_try(as_partner, {lookalike, product}).status == 201);
  CHECK(license_issue_try(as_partner, {suffix_trick, product}).status == 201);
  CHECK(free_used(as_partner) == 2);
  // The rule is about free licenses: paid and trial ones to the partner's own domain are fine.
  CHECK(license_issue_try(as_partner, {own, product, "paid"}).status == 201);
  CHECK(license_issue_try(as_partner, {own_sub, product, "trial"}).status == 201);
  CHECK(free_used(as_partner) == 2);

  // A free license cannot be transferred into the partner's domain either.
  const auto free_license = license_issue(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product});
  CHECK_ERROR(as_partner.post("/v1/licenses/" + free_license.at("id").get<std::string>() + "/transfer",
                              {{"customer_id", own_sub}}),
              422, "partner_domain_email");
}

TEST_CASE_FIXTURE(clocked_server, "one free license per customer per product, and the slot stays held while the license's tokens run") {
  // Free tokens expire 30 days after signing (renewed online): a license that leaves its
  // customer keeps the customer's slot until then, so no customer holds two valid free tokens.
  const auto first_product = product_create(as_operator);
  const auto second_product = product_create(as_operator);
  const auto partner = partner_create(as_operator);
  auto as_partner = server.client(partner.api_key);
  const auto customer = customer_fresh(as_partner)["id"].get<std::string>();

  const auto first = license_issue(as_partner, {customer, first_product});
  CHECK(token_claims_untrusted(first.at("token").get<std::string>()).at("exp") == licensor::rfc3339_format(start + 30 * day));
  CHECK_ERROR(license_issue_try(as_partner, {customer, first_product}), 422, "free_license_exists");
  CHECK(free_used(as_partner) == 1);
  // Another product, or another kind for the same product, is fine.
  const auto second = license_issue(as_partner, {customer, second_product});
  CHECK(license_issue_try(as_partner, {customer, first_product, "paid"}).status == 201);
  CHECK(free_used(as_partner) == 2);

  // Unlinking detaches the license; the customer's slot is held while its token is valid.
  const auto first_path = "/v1/licenses/" + first.at("id").get<std::string>();
  const auto unlinked = as_partner.post(first_path + "/unlink");
  REQUIRE(unlinked.status == 200);
  CHECK(unlinked.json.at("customer_id").is_null());
  CHECK_ERROR(as_partner.post(first_path + "/unlink"), 409, "license_unlinked");
  auto anyone = server.client();
  CHECK(validate_code(anyone, {{"token", first.at("token")}}) == "unlinked");
  CHECK_ERROR(license_issue_try(as_partner, {customer, first_product}), 422, "free_license_exists");

  // Deleting a free license keeps its place under the cap and the customer's slot as long.
  const auto deleted = as_partner.del("/v1/licenses/" + second.at("id").get<std::string>());
  REQUIRE(deleted.status == 200);
  CHECK(deleted.json.at("deleted") == true);
  CHECK(free_used(as_partner) == 2);
  CHECK_ERROR(as_partner.get("/v1/licenses/" + second.at("id").get<std::string>()), 404, "license_not_found");
  CHECK_ERROR(as_partner.del("/v1/licenses/" + second.at("id").get<std::string>()), 404, "license_not_found");
  CHECK(validate_code(anyone, {{"token", second.at("token")}}) == "not_found");
  CHECK(validate_code(anyone, {{"activation_key", second.at("activation_key")}}) == "not_found");
  CHECK_ERROR(license_issue_try(as_partner, {customer, second_product}), 422, "free_license_exists");

  // The tokens' last second, plus the verifiers' 60 s leeway: still held. One second later:
  // free again, exactly once.
  clock_set(start + 30 * day + 60);
  CHECK_ERROR(license_issue_try(as_partner, {customer, first_product}), 422, "free_license_exists");
  CHECK(free_used(as_partner) == 2);
  clock_set(start + 30 * day + 61);
  CHECK(free_used(as_partner) == 1);  // the deleted one's place is released; the unlinked one still counts
  CHECK(license_issue_try(as_partner, {customer, first_product}).status == 201);
  CHECK(license_issue_try(as_partner, {customer, second_product}).status == 201);
  CHECK_ERROR(license_issue_try(as_partner, {customer, first_product}), 422, "free_license_exists");
  CHECK(free_used(as_partner) == 3);
}

TEST_CASE_FIXTURE(clocked_server, "a Bronze partner cannot hand out more than 5 valid free tokens by deleting and issuing again") {
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator);
  auto as_partner = server.client(partner.api_key);
  std::vector<nlohmann::json> licenses;
  for (int i = 0; i < 5; ++i) licenses.push_back(license_issue(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product}));
  const auto paid = license_issue(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product, "paid"});
  REQUIRE(as_partner.del("/v1/licenses/" + paid.at("id").get<std::string>()).status == 200);
  CHECK(free_used(as_partner) == 5);
  const auto refused = license_issue_try(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product});
  CHECK_ERROR(refused, 422, "partner_cap_reached");
  CHECK(refused.json.at("error").at("message") == "the bronze level allows 5 free licenses, and 5 are issued");

  // Day 20: the first customer's app renews its token online (less than 15 days were left).
  clock_set(start + 20 * day);
  const auto renewed = server.client().post("/v1/activate", {{"activation_key", licenses[0].at("activation_key")},
                                                         {"email", licenses[0].at("email")}});
  REQUIRE(renewed.status == 200);
  CHECK(token_claims_untrusted(renewed.json.at("token").get<std::string>()).at("exp") ==
        licensor::rfc3339_format(start + 50 * day));
  // Deleting every free license does not give a single place back while their tokens run.
  for (const auto& license : licenses)
    REQUIRE(as_partner.del("/v1/licenses/" + license.at("id").get<std::string>()).status == 200);
  CHECK(free_used(as_partner) == 5);
  CHECK_ERROR(license_issue_try(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product}), 422,
              "partner_cap_reached");
  // Day 30 + leeway + 1 s: four tokens expired, four places come back; the renewed one holds to day 50.
  clock_set(start + 30 * day + 61);
  CHECK(free_used(as_partner) == 1);
  for (int i = 0; i < 4; ++i)
    CHECK(license_issue_try(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product}).status == 201);
  CHECK_ERROR(license_issue_try(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product}), 422,
              "partner_cap_reached");
  clock_set(start + 50 * day + 61);
  CHECK(license_issue_try(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product}).status == 201);
  CHECK(free_used(as_partner) == 5);
}

TEST_CASE_FIXTURE(clocked_server, "a revoked free license gives back the cap's place and the customer's slot once its last token expires") {
  // The programme counts the free licenses that can still be used: a revoked one stops counting
  // as a deleted one does, once the last token it handed out (valid offline) has expired.
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator);  // bronze: 5 free licenses
  auto as_partner = server.client(partner.api_key);
  std::vector<std::string> customers;
  std::vector<nlohmann::json> licenses;
  for (int i = 0; i < 5; ++i) {
    customers.push_back(customer_fresh(as_partner)["id"].get<std::string>());
    licenses.push_back(license_issue(as_partner, {customers.back(), product}));
  }
  const auto sixth = customer_fresh(as_partner)["id"].get<std::string>();
  CHECK_ERROR(license_issue_try(as_partner, {sixth, product}), 422, "partner_cap_reached");

  const auto revoked_path = "/v1/licenses/" + licenses[0].at("id").get<std::string>();
  REQUIRE(as_partner.post(revoked_path + "/revoke").status == 200);
  CHECK(free_used(as_partner) == 5);  // its token still verifies offline
  CHECK_ERROR(license_issue_try(as_partner, {sixth, product}), 422, "partner_cap_reached");
  CHECK_ERROR(license_issue_try(as_partner, {customers[0], product}), 422, "free_license_exists");

  clock_set(start + 30 * day + 60);
  CHECK(free_used(as_partner) == 5);
  clock_set(start + 30 * day + 61);
  CHECK(free_used(as_partner) == 4);
  // Deleting the revoked license later gives nothing back a second time.
  REQUIRE(as_partner.del(revoked_path).status == 200);
  CHECK(free_used(as_partner) == 4);
  // The place is taken by one new free license, for the revoked one's customer: its slot came back too.
  CHECK(license_issue_try(as_partner, {customers[0], product}).status == 201);
  CHECK(free_used(as_partner) == 5);
  CHECK_ERROR(license_issue_try(as_partner, {sixth, product}), 422, "partner_cap_reached");
}
