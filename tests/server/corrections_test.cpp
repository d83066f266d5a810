// Corrections: a partner corrects a customer's business information, an operator a plain
// license's expiry and features. Every editable field is edited, read back and found in the
// audit with its value before and after; a change a token carries re-signs it, and the new
// token verifies offline with it.
#include <fstream>

#include "licensor/rfc3339.hpp"
#include "licensor/verifier.hpp"
#include "server_test.hpp"

using namespace licensor::testing;
using nlohmann::json;

namespace {

// The newest audit entry of `action` about `target`.
json audit_of(https_client& as_operator, std::string_view action, const std::string& target) {
  json newest;
  for (auto& entry : audit_entries(as_operator, action))
    if (entry.at("target") == target) newest = entry;
  REQUIRE_MESSAGE(!newest.is_null(), "no audit entry " << action << " for " << target);
  return newest;
}

// Verifies `token` offline as an app does, against the server's keyring.
licensor::verify_outcome offline(licensord_process& server, const std::string& token, const std::string& product,
                                 std::int64_t now) {
  std::ifstream root_file(server.data_dir() / "keys" / "root.public");
  std::string root;
  std::getline(root_file, root);
  auto pinned = licensor::pinned_root_parse(root);
  REQUIRE(pinned.ok());
  licensor::license_verifier verifier({*pinned});
  std::uint64_t highest_seen = 0;
  const auto keyring = server.client().get("/v1/keyring");
  REQUIRE(verifier.load_keyring(keyring.json.at("token").get<std::string>(), highest_seen) == licensor::verify_status::valid);
  licensor::verify_context context;
  context.now = now;
  context.product = product;
  licensor::unix_seconds last_trusted = 0;
  return verifier.verify(token, context, last_trusted);
}

}  // namespace

TEST_CASE("a partner corrects a customer's name, VAT number, address and flags; the email stays") {
  partner_world w;
  const auto customer = customer_fresh(w.as_partner);
  const auto id = customer.at("id").get<std::string>();
  const auto path = "/v1/customers/" + id;
  const json changes{{"name", "Rossi & Figli S.r.l."},
                     {"vat_number", "IT 1234567890 1"},
                     {"address", "Via Roma 1, 20121 Milano"},
                     {"manages_own_notifications", true},
                     {"language", "it"}};
  const auto corrected = w.as_partner.patch(path, changes);
  REQUIRE(corrected.status == 200);
  CHECK(corrected.json.at("name") == "Rossi & Figli S.r.l.");
  CHECK(corrected.json.at("vat_number") == "IT12345678901");
  CHECK(corrected.json.at("address") == "Via Roma 1, 20121 Milano");
  CHECK(corrected.json.at("manages_own_notifications") == true);
  CHECK(corrected.json.at("language") == "it");
  CHECK(corrected.json.at("email") == customer.at("email"));
  CHECK(w.as_partner.get(path).json == corrected.json);

  const auto entry = audit_of(w.as_operator, "customer.update", id);
  CHECK(entry.at("details").at("before") == json{{"name", customer.at("name")}, {"vat_number", ""}, {"address", ""},
                                                  {"manages_own_notifications", false}, {"language", "en"}});
  CHECK(entry.at("details").at("after") == json{{"name", "Rossi & Figli S.r.l."}, {"vat_number", "IT12345678901"},
                                                 {"address", "Via Roma 1, 20121 Milano"},
                                                 {"manages_own_notifications", true}, {"language", "it"}});

  // "" removes the VAT number; a change to what is stored already changes nothing.
  CHECK(w.as_partner.patch(path, {{"vat_number", ""}}).json.at("vat_number").is_null());
  CHECK(w.as_partner.patch(path, {{"name", "Rossi & Figli S.r.l."}}).status == 200);
  CHECK(audit_of(w.as_operator, "customer.update", id).at("details").at("after") == json{{"vat_number", ""}});

  SUBCASE("what is refused, and changes nothing") {
    CHECK_ERROR(w.as_partner.patch(path, {{"email", "new@example.com"}}), 400, "bad_request");
    CHECK_ERROR(w.as_partner.patch(path, json::object()), 400, "bad_request");
    CHECK_ERROR(w.as_partner.patch(path, {{"name", std::string(201, 'n')}}), 400, "bad_request");
    CHECK_ERROR(w.as_partner.patch(path, {{"address", std::string(501, 'a')}}), 400, "bad_request");
    CHECK_ERROR(w.as_partner.patch(path, {{"name", 5}}), 400, "bad_request");
    CHECK_ERROR(w.as_partner.patch(path, {{"vat_number", "IT123"}}), 422, "invalid_vat_number");
    const auto other = partner_create(w.as_operator);
    CHECK_ERROR(w.server.client(other.api_key).patch(path, {{"name", "Hijack"}}), 404, "customer_not_found");
    CHECK(w.as_partner.get(path).json.at("name") == "Rossi & Figli S.r.l.");
  }
}

TEST_CASE("an operator corrects a plain license's expiry and features; its token is re-signed with them") {
  partner_world w;
  const auto customer = customer_fresh(w.as_partner);
  const auto issued = license_issue(w.as_partner, {customer.at("id").get<std::string>(), w.product, "paid",
                                                   {{"expires_at", licensor::rfc3339_format(std::time(nullptr) + 30 * 86'400)}}});
  const auto id = issued.at("id").get<std::string>();
  const auto path = "/v1/licenses/" + id;
  const auto extended_to = static_cast<std::int64_t>(std::time(nullptr)) + 400 * 86'400;

  const auto corrected = w.as_operator.patch(path, {{"expires_at", licensor::rfc3339_format(extended_to)},
                                                    {"features", {"export", "sync"}}});
  REQUIRE(corrected.status == 200);
  CHECK(corrected.json.at("expires_at") == licensor::rfc3339_format(extended_to));
  CHECK(corrected.json.at("features") == json{"export", "sync"});
  CHECK(corrected.json.at("token") != issued.at("token"));
  CHECK(w.as_partner.get(path).json.at("token") == corrected.json.at("token"));
  auto outcome = offline(w.server, corrected.json.at("token").get<std::string>(), w.product, std::time(nullptr));
  REQUIRE(outcome.status == licensor::verify_status::valid);
  CHECK(outcome.claims.exp == extended_to);
  CHECK(outcome.claims.features == std::vector<std::string>{"export", "sync"});
  CHECK(validate_code(w.anyone, {{"token", corrected.json.at("token")}}) == "valid");

  auto entry = audit_of(w.as_operator, "license.correct", id);
  CHECK(entry.at("details").at("before") == json{{"expires_at", issued.at("expires_at")}, {"features", json::array()}});
  CHECK(entry.at("details").at("after") == json{{"expires_at", licensor::rfc3339_format(extended_to)}, {"features", {"export", "sync"}}});

  // Shortened to the past: it validates as expired. Null: perpetual, and the token has no exp.
  const auto past = static_cast<std::int64_t>(std::time(nullptr)) - 86'400;
  const auto shortened = w.as_operator.patch(path, {{"expires_at", licensor::rfc3339_format(past)}});
  REQUIRE(shortened.status == 200);
  CHECK(validate_code(w.anyone, {{"token", shortened.json.at("token")}}) == "expired");
  CHECK(offline(w.server, shortened.json.at("token").get<std::string>(), w.product, std::time(nullptr)).status ==
        licensor::verify_status::expired);
  const auto perpetual = w.as_operator.patch(path, {{"expires_at", nullptr}});
  REQUIRE(perpetual.status == 200);
  CHECK(perpetual.json.at("expires_at").is_null());
  outcome = offline(w.server, perpetual.json.at("token").get<std::string>(), w.product, std::time(nullptr));
  REQUIRE(outcome.status == licensor::verify_status::valid);
  CHECK_FALSE(outcome.claims.exp.has_value());
  entry = audit_of(w.as_operator, "license.correct", id);
  CHECK(entry.at("details").at("after") == json{{"expires_at", nullptr}});

  SUBCASE("who may, and what is refused") {
    CHECK(w.as_partner.patch(path, {{"features", json::array()}}).status == 403);
    CHECK(w.anyone.patch(path, {{"features", json::array()}}).status == 401);
    CHECK_ERROR(w.as_operator.patch(path, json::object()), 400, "bad_request");
    CHECK_ERROR(w.as_operator.patch(path, {{"expires_at", "tomorrow"}}), 400, "bad_request");
    CHECK_ERROR(w.as_operator.patch(path, {{"features", "export"}}), 400, "bad_request");
    CHECK_ERROR(w.as_operator.patch(path, {{"seats", 5}}), 400, "bad_request");
    CHECK_ERROR(w.as_operator.patch("/v1/licenses/lic_nope", {{"features", json::array()}}), 404, "license_not_found");
    // A priced product, so that it can be sold as a subscription.
    REQUIRE(w.as_operator.patch("/v1/products/" + w.product,
                                {{"prices", {{"standard", {{"currency", "EUR"}, {"seat_month", 100}, {"seat_year", 1000}}}}}})
                .status == 200);
    const auto subscription = w.as_partner.post("/v1/subscriptions", {{"customer_id", customer_fresh(w.as_partner).at("id")},
                                                                      {"product", w.product}, {"seats", 1}});
    REQUIRE(subscription.status == 201);
    CHECK_ERROR(w.as_operator.patch("/v1/licenses/" + subscription.json.at("id").get<std::string>(), {{"features", json::array()}}),
                409, "conflict");
    CHECK(w.as_partner.get(path).json.at("expires_at").is_null());
  }
}
