// DESIGN 4.2, 4.6, 4.7: transfer re-binds and re-signs; suspend, reinstate and revoke show in
// online validation, by token and by activation key.
#include "server_test.hpp"

using namespace licensor::testing;

namespace {

}  // namespace

TEST_CASE("transfer re-binds the license to the other customer's email and re-signs it") {
  partner_world w;
  const auto from = customer_fresh(w.as_partner, "from");
  const auto to = customer_fresh(w.as_partner, "to");
  for (const char* kind : {"free", "paid"}) {
    CAPTURE(kind);
    const auto license = license_issue(w.as_partner, {from.at("id").get<std::string>(), w.product, kind});
    const auto path = "/v1/licenses/" + license.at("id").get<std::string>();
    const auto old_token = license.at("token").get<std::string>();
    CHECK(token_claims_untrusted(old_token).at("email") == from.at("email"));

    const auto moved = w.as_partner.post(path + "/transfer", {{"customer_id", to.at("id")}});
    REQUIRE(moved.status == 200);
    CHECK(moved.json.at("customer_id") == to.at("id"));
    CHECK(moved.json.at("email") == to.at("email"));
    const auto new_token = moved.json.at("token").get<std::string>();
    CHECK(new_token != old_token);
    const auto claims = token_claims_untrusted(new_token);
    CHECK(claims.at("email") == to.at("email"));
    CHECK(claims.at("sub") == license.at("id"));
    CHECK(claims.at("kind") == kind);
    CHECK(validate_code(w.anyone, {{"token", new_token}}) == "valid");
    CHECK(w.as_partner.get(path).json.at("token") == new_token);
    // Activation now needs the new owner's email.
    CHECK_ERROR(w.anyone.post("/v1/activate", {{"activation_key", license.at("activation_key")}, {"email", from.at("email")}}),
                422, "activation_failed");
    CHECK(w.anyone.post("/v1/activate", {{"activation_key", license.at("activation_key")}, {"email", to.at("email")}}).status == 200);
    // Transferring to the current owner, or to nobody known, is refused.
    CHECK_ERROR(w.as_partner.post(path + "/transfer", {{"customer_id", to.at("id")}}), 409, "conflict");
    CHECK_ERROR(w.as_partner.post(path + "/transfer", {{"customer_id", "cus_nosuchcustomer0000000"}}), 404,
                "customer_not_found");
    CHECK_ERROR(w.as_partner.post(path + "/transfer", nlohmann::json::object()), 400, "bad_request");
  }
  // The free license moved with its slot: `to` now holds the free one for this product, and
  // `from` cannot get another while the token it still has runs (customer_rules_test shows the release).
  CHECK_ERROR(license_issue_try(w.as_partner, {to.at("id").get<std::string>(), w.product}), 422, "free_license_exists");
  CHECK_ERROR(license_issue_try(w.as_partner, {from.at("id").get<std::string>(), w.product}), 422, "free_license_exists");
}

// A transfer re-binds the license: the token bound to the former owner's email no longer
// stands for it (validate answers email_mismatch), while the new owner's token is valid.
TEST_CASE("after a transfer the former owner's token no longer validates") {
  partner_world w;
  const auto from = customer_fresh(w.as_partner, "from");
  const auto to = customer_fresh(w.as_partner, "to");
  const auto license = license_issue(w.as_partner, {from.at("id").get<std::string>(), w.product, "paid"});
  const auto old_token = license.at("token").get<std::string>();
  REQUIRE(w.as_partner.post("/v1/licenses/" + license.at("id").get<std::string>() + "/transfer",
                            {{"customer_id", to.at("id")}}).status == 200);
  // The old token carries the former email: it no longer stands for this license.
  const auto old_answer = w.anyone.post("/v1/validate", {{"token", old_token}});
  REQUIRE(old_answer.status == 200);
  CHECK(old_answer.json.at("valid") == false);
  CHECK(old_answer.json.at("code") == "email_mismatch");
}

TEST_CASE("a free license cannot be transferred to a customer who already has one for the product") {
  partner_world w;
  const auto a = customer_fresh(w.as_partner)["id"].get<std::string>();
  const auto b = customer_fresh(w.as_partner)["id"].get<std::string>();
  const auto license_a = license_issue(w.as_partner, {a, w.product});
  (void)license_issue(w.as_partner, {b, w.product});
  CHECK_ERROR(w.as_partner.post("/v1/licenses/" + license_a.at("id").get<std::string>() + "/transfer", {{"customer_id", b}}),
              422, "free_license_exists");
  CHECK(w.as_partner.get("/v1/licenses/" + license_a.at("id").get<std::string>()).json.at("customer_id") == a);
}

TEST_CASE("suspend, reinstate and revoke show in validation by token and by activation key") {
  partner_world w;
  const auto license = license_issue(w.as_partner, {customer_fresh(w.as_partner)["id"].get<std::string>(), w.product, "paid"});
  const auto path = "/v1/licenses/" + license.at("id").get<std::string>();
  const nlohmann::json by_token{{"token", license.at("token")}};
  const nlohmann::json by_key{{"activation_key", license.at("activation_key")}};
  CHECK(validate_code(w.anyone, by_token) == "valid");
  CHECK(validate_code(w.anyone, by_key) == "valid");
  const auto valid = w.anyone.post("/v1/validate", by_token);
  CHECK(valid.json.at("valid") == true);
  CHECK(valid.json.at("license").at("id") == license.at("id"));

  const auto suspended = w.as_partner.post(path + "/suspend");
  REQUIRE(suspended.status == 200);
  CHECK(suspended.json.at("status") == "suspended");
  const auto answer = w.anyone.post("/v1/validate", by_token);
  CHECK(answer.status == 200);
  CHECK(answer.json.at("valid") == false);
  CHECK(answer.json.at("code") == "suspended");
  CHECK(validate_code(w.anyone, by_key) == "suspended");
  CHECK_ERROR(w.as_partner.post(path + "/suspend"), 409, "conflict");
  CHECK_ERROR(w.anyone.post("/v1/activate", {{"activation_key", license.at("activation_key")}, {"email", license.at("email")}}),
              409, "license_suspended");

  REQUIRE(w.as_partner.post(path + "/reinstate").status == 200);
  CHECK(validate_code(w.anyone, by_token) == "valid");
  CHECK(validate_code(w.anyone, by_key) == "valid");
  CHECK_ERROR(w.as_partner.post(path + "/reinstate"), 409, "conflict");

  const auto revoked = w.as_partner.post(path + "/revoke");
  REQUIRE(revoked.status == 200);
  CHECK(revoked.json.at("status") == "revoked");
  const auto gone = w.anyone.post("/v1/validate", by_token);
  CHECK(gone.json.at("valid") == false);
  CHECK(gone.json.at("code") == "revoked");
  CHECK(validate_code(w.anyone, by_key) == "revoked");
  CHECK_ERROR(w.as_partner.post(path + "/reinstate"), 409, "license_revoked");
  CHECK_ERROR(w.as_partner.post(path + "/suspend"), 409, "license_revoked");
  CHECK_ERROR(w.as_partner.post(path + "/revoke"), 409, "license_revoked");
  CHECK_ERROR(w.as_partner.get(path + "/token"), 409, "license_revoked");
  CHECK_ERROR(w.anyone.post("/v1/activate", {{"activation_key", license.at("activation_key")}, {"email", license.at("email")}}),
              409, "license_revoked");
}

TEST_CASE("validation answers for unknown, malformed and ambiguous questions") {
  partner_world w;
  const auto license = license_issue(w.as_partner, {customer_fresh(w.as_partner)["id"].get<std::string>(), w.product, "paid"});
  const auto key = license.at("activation_key").get<std::string>();
  // Activation keys are typed by people: case and dashes do not matter.
  std::string typed;
  for (const char c : key)
    if (c != '-') typed += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  CHECK(validate_code(w.anyone, {{"activation_key", typed}}) == "valid");
  std::string flipped = key;
  flipped[0] = flipped[0] == 'A' ? 'B' : 'A';  // breaks the check character
  CHECK(validate_code(w.anyone, {{"activation_key", flipped}}) == "not_found");
  CHECK(validate_code(w.anyone, {{"activation_key", "nonsense"}}) == "not_found");
  CHECK(validate_code(w.anyone, {{"token", "v4.public.bm9wZQ"}}) == "malformed");
  CHECK(validate_code(w.anyone, {{"token", "not a token"}}) == "malformed");
  // A token whose signature was tampered with is not found by hash and fails verification.
  auto tampered = license.at("token").get<std::string>();
  const auto dot = tampered.find('.', std::string("v4.public.").size());
  auto& victim = tampered[(dot == std::string::npos ? tampered.size() : dot) - 5];
  victim = victim == 'A' ? 'B' : 'A';
  CHECK(validate_code(w.anyone, {{"token", tampered}}) != "valid");
  CHECK_ERROR(w.anyone.post("/v1/validate", nlohmann::json::object()), 400, "bad_request");
  CHECK_ERROR(w.anyone.post("/v1/validate", {{"token", license.at("token")}, {"activation_key", key}}), 400, "bad_request");
  CHECK_ERROR(w.anyone.post("/v1/validate", {{"token", 7}}), 400, "bad_request");
}
