// DESIGN 3: live rotation keeps old tokens valid and bumps the keyring; revocation re-signs the
// affected licenses with the active key and makes the old tokens fail as revoked_key.
#include "server_test.hpp"

using namespace licensor::testing;

TEST_CASE("rotate, then revoke the old key") {
  licensord_process server;  // its own keys: rotation and revocation touch every license
  auto as_operator = server.operator_client();
  auto anyone = server.client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator);
  auto as_partner = server.client(partner.api_key);

  const auto keyring_before = anyone.get("/v1/keyring");
  REQUIRE(keyring_before.status == 200);
  const auto version_before = keyring_before.json.at("version").get<std::int64_t>();
  const auto old_license = license_issue(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product, "paid"});
  const auto old_kid = old_license.at("kid").get<std::string>();
  const auto old_token = old_license.at("token").get<std::string>();
  CHECK(token_kid_untrusted(old_token) == old_kid);
  CHECK(validate_code(anyone, {{"token", old_token}}) == "valid");

  SUBCASE("only operators rotate and revoke") {
    CHECK_ERROR(as_partner.post("/v1/keys/rotate"), 403, "forbidden");
    CHECK_ERROR(as_partner.post("/v1/keys/" + old_kid + "/revoke"), 403, "forbidden");
    CHECK_ERROR(anyone.post("/v1/keys/rotate"), 401, "unauthorized");
    CHECK(anyone.get("/v1/keyring").json.at("version") == version_before);
  }

  SUBCASE("rotation and revocation") {
    const auto rotated = as_operator.post("/v1/keys/rotate");
    REQUIRE(rotated.status == 200);
    const auto new_kid = rotated.json.at("active_kid").get<std::string>();
    CHECK(new_kid != old_kid);
    CHECK(new_kid.starts_with("k4.pid."));
    CHECK(rotated.json.at("version").get<std::int64_t>() > version_before);
    const auto keyring_after = anyone.get("/v1/keyring");
    CHECK(keyring_after.json.at("version") == rotated.json.at("version"));
    CHECK(keyring_after.json.at("token") == rotated.json.at("keyring"));
    bool old_retired = false;
    bool new_active = false;
    for (const auto& key : keyring_after.json.at("keyring").at("keys")) {
      if (key.at("kid") == old_kid) old_retired = key.at("status") == "retired";
      if (key.at("kid") == new_kid) new_active = key.at("status") == "active";
    }
    CHECK(old_retired);
    CHECK(new_active);

    // Tokens issued before still validate; new ones carry the new kid.
    CHECK(validate_code(anyone, {{"token", old_token}}) == "valid");
    const auto new_license = license_issue(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product, "paid"});
    CHECK(new_license.at("kid") == new_kid);
    CHECK(token_kid_untrusted(new_license.at("token").get<std::string>()) == new_kid);

    // What revoking a key would re-sign is said before it is done.
    const auto signed_by = [&](const std::string& kid) -> std::int64_t {
      const auto keys = as_operator.get("/v1/keys");
      REQUIRE(keys.status == 200);
      for (const auto& key : keys.json.at("keys"))
        if (key.at("kid") == kid) return key.at("licenses_signed").get<std::int64_t>();
      return -1;  // not in the keyring
    };
    CHECK(signed_by(old_kid) == 1);
    CHECK(signed_by(new_kid) == 1);

    // Revoking the old kid re-signs its licenses with the active key.
    const auto revoked = as_operator.post("/v1/keys/" + old_kid + "/revoke");
    REQUIRE(revoked.status == 200);
    CHECK(revoked.json.at("revoked_kid") == old_kid);
    CHECK(revoked.json.at("licenses_resigned").get<int>() >= 1);
    CHECK(revoked.json.at("version").get<std::int64_t>() > rotated.json.at("version").get<std::int64_t>());
    const auto keyring_revoked = anyone.get("/v1/keyring");
    CHECK(keyring_revoked.json.at("version") == revoked.json.at("version"));
    const auto& revoked_list = keyring_revoked.json.at("keyring").at("revoked");
    CHECK(std::find(revoked_list.begin(), revoked_list.end(), old_kid) != revoked_list.end());
    CHECK(signed_by(old_kid) == 0);  // still listed, as revoked: every license of it re-signed
    CHECK(signed_by(new_kid) == 2);
    CHECK(as_operator.get("/v1/keys").json.at("resigning").empty());  // one batch was enough

    // The audit log, filtered: the key changes, by whom, about what, when.
    const auto key_changes = as_operator.get("/v1/audit?action=keys.");
    REQUIRE(key_changes.status == 200);
    std::vector<std::string> actions;
    for (const auto& entry : key_changes.json.at("items")) actions.push_back(entry.at("action").get<std::string>());
    CHECK(actions == std::vector<std::string>{"keys.rotate", "keys.revoke"});
    const auto about_old = as_operator.get("/v1/audit?action=keys.&target=" + old_kid);
    REQUIRE(about_old.json.at("items").size() == 1);
    CHECK(about_old.json.at("items").at(0).at("action") == "keys.revoke");
    CHECK(as_operator.get("/v1/audit?action=keys.&actor=nobody").json.at("items").empty());
    CHECK(as_operator.get("/v1/audit?action=keys.&from=2999-01-01T00:00:00Z").json.at("items").empty());
    CHECK(as_operator.get("/v1/audit?action=keys.&to=2000-01-01T00:00:00Z").json.at("items").empty());
    CHECK(as_operator.get("/v1/audit?action=keys.&from=2000-01-01T00:00:00Z").json.at("items").size() == 2);
    CHECK_ERROR(as_operator.get("/v1/audit?from=yesterday"), 400, "bad_request");
    CHECK_ERROR(as_operator.get("/v1/audit?action="), 400, "bad_request");
    // Newest first, a page at a time: the revocation, then (its cursor) the rotation.
    const auto newest = as_operator.get("/v1/audit?action=keys.&order=newest&limit=1");
    REQUIRE(newest.json.at("items").size() == 1);
    CHECK(newest.json.at("items").at(0).at("action") == "keys.revoke");
    const auto older = as_operator.get("/v1/audit?action=keys.&order=newest&limit=1&after=" +
                                       newest.json.at("next").get<std::string>());
    REQUIRE(older.json.at("items").size() == 1);
    CHECK(older.json.at("items").at(0).at("action") == "keys.rotate");
    CHECK_ERROR(as_operator.get("/v1/audit?order=sideways"), 400, "bad_request");

    const auto resigned = as_partner.get("/v1/licenses/" + old_license.at("id").get<std::string>());
    REQUIRE(resigned.status == 200);
    CHECK(resigned.json.at("kid") == new_kid);
    const auto resigned_token = resigned.json.at("token").get<std::string>();
    CHECK(resigned_token != old_token);
    CHECK(token_kid_untrusted(resigned_token) == new_kid);
    CHECK(token_claims_untrusted(resigned_token).at("email") == old_license.at("email"));
    CHECK(validate_code(anyone, {{"token", resigned_token}}) == "valid");
    const auto old_answer = anyone.post("/v1/validate", {{"token", old_token}});
    CHECK(old_answer.status == 200);
    CHECK(old_answer.json.at("valid") == false);
    CHECK(old_answer.json.at("code") == "revoked_key");
    // The license itself is fine: by activation key it validates, and activation hands out the new token.
    CHECK(validate_code(anyone, {{"activation_key", old_license.at("activation_key")}}) == "valid");
    const auto activated = anyone.post("/v1/activate", {{"activation_key", old_license.at("activation_key")},
                                                         {"email", old_license.at("email")}});
    REQUIRE(activated.status == 200);
    CHECK(token_kid_untrusted(activated.json.at("token").get<std::string>()) == new_kid);
    // New licenses are unaffected.
    CHECK(validate_code(anyone, {{"token", new_license.at("token")}}) == "valid");

    // Revoking again changes nothing; an unknown kid or garbage is a 4xx, never a 5xx.
    const auto twice = as_operator.post("/v1/keys/" + old_kid + "/revoke");
    CHECK(twice.status < 500);
    CHECK(validate_code(anyone, {{"token", old_token}}) == "revoked_key");
    CHECK(validate_code(anyone, {{"token", resigned_token}}) == "valid");
    CHECK_ERROR(as_operator.post("/v1/keys/not-a-kid/revoke"), 404, "not_found");
    const auto unknown = as_operator.post("/v1/keys/k4.pid.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/revoke");
    CHECK(unknown.status >= 400);
    CHECK(unknown.status < 500);
    CHECK(unknown.has_error_shape());
    // Revoking the only active key must not leave the server unable to sign.
    const auto active = as_operator.post("/v1/keys/" + new_kid + "/revoke");
    INFO("revoking the active key: ", active.body);
    CHECK(active.status < 500);
    CHECK(anyone.get("/v1/health").status == 200);
  }
}

TEST_CASE("a rotation retried with one Idempotency-Key rotates once and is audited once") {
  licensord_process server;
  auto as_operator = server.operator_client();
  auto anyone = server.client();
  const auto before = anyone.get("/v1/keyring").json.at("version").get<std::int64_t>();
  const header_list retry_key = {{"Idempotency-Key", "rotate-" + unique_suffix()}};
  const auto first = as_operator.post("/v1/keys/rotate", nlohmann::json::object(), retry_key);
  REQUIRE(first.status == 200);
  for (int retry = 0; retry < 2; ++retry) {
    const auto again = as_operator.post("/v1/keys/rotate", nlohmann::json::object(), retry_key);
    CHECK(again.status == 200);
    CHECK(again.json == first.json);
  }
  CHECK(anyone.get("/v1/keyring").json.at("version").get<std::int64_t>() == before + 1);
  CHECK(first.json.at("version").get<std::int64_t>() == before + 1);
  CHECK(audit_entries(as_operator, "keys.rotate").size() == 1);

  // "Rotate from version N" is refused once the keyring moved on, and changes nothing.
  CHECK_ERROR(as_operator.post("/v1/keys/rotate", {{"from_version", before}}), 409, "conflict");
  CHECK(anyone.get("/v1/keyring").json.at("version").get<std::int64_t>() == before + 1);
  CHECK(as_operator.post("/v1/keys/rotate", {{"from_version", before + 1}}).status == 200);
  CHECK(anyone.get("/v1/keyring").json.at("version").get<std::int64_t>() == before + 2);
  CHECK(audit_entries(as_operator, "keys.rotate").size() == 2);
}

TEST_CASE("with the root key kept offline, rotate and revoke answer 409 root_key_offline and change nothing") {
  licensord_process server;
  auto as_operator = server.operator_client();
  auto anyone = server.client();
  const auto before = anyone.get("/v1/keyring").json;
  const auto kid = before.at("keyring").at("keys").at(0).at("kid").get<std::string>();
  const auto root_secret = server.data_dir() / "keys" / "root.secret";
  REQUIRE(std::filesystem::exists(root_secret));
  std::filesystem::rename(root_secret, server.data_dir() / "root.secret.offline");
  CHECK_ERROR(as_operator.post("/v1/keys/rotate"), 409, "root_key_offline");
  CHECK_ERROR(as_operator.post("/v1/keys/" + kid + "/revoke"), 409, "root_key_offline");
  CHECK(anyone.get("/v1/keyring").json == before);
  CHECK(anyone.get("/v1/health").status == 200);
}
