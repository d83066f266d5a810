// Activation: an app exchanges an activation key and the customer's email for the signed token
// and the keyring; a fingerprint binds the license to one machine.
#include "server_test.hpp"

using namespace licensor::testing;

namespace {

struct activation_world : partner_world {
  nlohmann::json customer = customer_fresh(as_partner, "Activating");
  nlohmann::json license = license_issue(as_partner, {customer.at("id").get<std::string>(), product, "paid"});
};

std::string shouted(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "  " + text + " ";
}

}  // namespace

TEST_CASE("activation returns the token and the keyring for the right email, in any case") {
  activation_world w;
  const auto activated = w.anyone.post("/v1/activate", {{"activation_key", w.license.at("activation_key")},
                                                         {"email", shouted(w.customer.at("email").get<std::string>())}});
  REQUIRE(activated.status == 200);
  CHECK(activated.json.at("license_id") == w.license.at("id"));
  const auto token = activated.json.at("token").get<std::string>();
  CHECK(token.starts_with("v4.public."));
  CHECK(token_claims_untrusted(token).at("email") == w.customer.at("email"));
  CHECK(activated.json.at("keyring").get<std::string>().starts_with("v4.public."));
  CHECK(activated.json.at("keyring") == w.anyone.get("/v1/keyring").json.at("token"));
  CHECK(validate_code(w.anyone, {{"token", token}}) == "valid");
}

TEST_CASE("activation with a wrong email or an unknown key fails the same way") {
  activation_world w;
  const auto key = w.license.at("activation_key");
  const auto other = customer_fresh(w.as_partner);
  CHECK_ERROR(w.anyone.post("/v1/activate", {{"activation_key", key}, {"email", other.at("email")}}), 422, "activation_failed");
  CHECK_ERROR(w.anyone.post("/v1/activate", {{"activation_key", key}, {"email", "nobody@example.com"}}), 422, "activation_failed");
  CHECK_ERROR(w.anyone.post("/v1/activate", {{"activation_key", key}, {"email", "not an email"}}), 422, "activation_failed");
  CHECK_ERROR(w.anyone.post("/v1/activate", {{"activation_key", "0000-0000-0000-0000-0"}, {"email", w.customer.at("email")}}),
              422, "activation_failed");
  CHECK_ERROR(w.anyone.post("/v1/activate", {{"activation_key", "garbage"}, {"email", w.customer.at("email")}}), 422,
              "activation_failed");
  CHECK_ERROR(w.anyone.post("/v1/activate", {{"activation_key", key}}), 400, "bad_request");
  CHECK_ERROR(w.anyone.post("/v1/activate", {{"email", w.customer.at("email")}}), 400, "bad_request");
}

TEST_CASE("activation with a fingerprint binds the license to that machine") {
  activation_world w;
  const auto key = w.license.at("activation_key");
  const auto email = w.customer.at("email");
  const auto bound = w.anyone.post("/v1/activate", {{"activation_key", key}, {"email", email}, {"fingerprint", "machine-A"}});
  REQUIRE(bound.status == 200);
  const auto token = bound.json.at("token").get<std::string>();
  CHECK(token != w.license.at("token"));
  CHECK(token_claims_untrusted(token).at("fingerprint") == "machine-A");

  CHECK(validate_code(w.anyone, {{"token", token}, {"fingerprint", "machine-A"}}) == "valid");
  const auto elsewhere = w.anyone.post("/v1/validate", {{"token", token}, {"fingerprint", "machine-B"}});
  CHECK(elsewhere.status == 200);
  CHECK(elsewhere.json.at("valid") == false);
  CHECK(elsewhere.json.at("code") == "fingerprint_mismatch");
  CHECK(validate_code(w.anyone, {{"activation_key", key}, {"fingerprint", "machine-B"}}) == "fingerprint_mismatch");
  CHECK(validate_code(w.anyone, {{"activation_key", key}, {"fingerprint", "machine-A"}}) == "valid");

  // The same machine activates again and gets the same token; another machine is refused.
  const auto again = w.anyone.post("/v1/activate", {{"activation_key", key}, {"email", email}, {"fingerprint", "machine-A"}});
  REQUIRE(again.status == 200);
  CHECK(again.json.at("token") == token);
  const auto refused = w.anyone.post("/v1/activate", {{"activation_key", key}, {"email", email}, {"fingerprint", "machine-B"}});
  CHECK(refused.status >= 400);
  CHECK(refused.status < 500);
  CHECK(refused.error_code() == "fingerprint_mismatch");
  CHECK(w.as_partner.get("/v1/licenses/" + w.license.at("id").get<std::string>()).json.at("fingerprint") == "machine-A");
}
