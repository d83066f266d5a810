#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "licensor/claims.hpp"
#include "licensor/keyring_document.hpp"
#include "licensor/paserk.hpp"
#include "licensor/signed_document.hpp"

using namespace licensor;

namespace {

keyring_entry entry_for(const SecretKey& key, key_status status, unix_seconds nbf) {
  return {paserk_pid(key.public_key()), key.public_key(), status, nbf};
}

}  // namespace

TEST_CASE("a keyring signed by a pinned root verifies and round-trips") {
  const auto root = SecretKey::generate();
  const auto old_key = SecretKey::generate();
  const auto new_key = SecretKey::generate();
  keyring_document keyring;
  keyring.version = 3;
  keyring.iat = 1'790'000'000;
  keyring.keys = {entry_for(old_key, key_status::retired, 100), entry_for(new_key, key_status::active, 200)};
  keyring.revoked = {paserk_pid(SecretKey::generate().public_key())};

  const auto token = keyring_sign(keyring, root);
  const PublicKey roots[] = {SecretKey::generate().public_key(), root.public_key()};
  auto verified = keyring_verify(token, roots);
  REQUIRE(verified.ok());
  CHECK(verified->version == 3);
  CHECK(verified->keys.size() == 2);
  CHECK(verified->active()->kid == paserk_pid(new_key.public_key()));
  CHECK(verified->find(paserk_pid(old_key.public_key()))->status == key_status::retired);
  CHECK(verified->is_revoked(keyring.revoked[0]));

  const PublicKey other_roots[] = {SecretKey::generate().public_key()};
  CHECK(keyring_verify(token, other_roots).error() == errc::keyring_bad_signature);
}

TEST_CASE("a license token is never accepted as a keyring") {
  const auto root = SecretKey::generate();
  license_claims claims;
  claims.sub = "lic";
  const auto license = license_token_sign(claims, root);
  const PublicKey roots[] = {root.public_key()};
  CHECK(keyring_verify(license, roots).error() == errc::keyring_bad_signature);
}

TEST_CASE("keyring entries whose kid does not match their key are rejected") {
  const auto key = SecretKey::generate();
  keyring_document keyring;
  keyring.keys = {entry_for(key, key_status::active, 0)};
  auto json = nlohmann::json::parse(keyring_to_json(keyring));
  json["keys"][0]["kid"] = paserk_pid(SecretKey::generate().public_key()).value;
  CHECK(keyring_parse(json.dump()).error() == errc::malformed);

  auto duplicate = nlohmann::json::parse(keyring_to_json(keyring));
  duplicate["keys"].push_back(duplicate["keys"][0]);
  CHECK(keyring_parse(duplicate.dump()).error() == errc::malformed);

  auto bad_status = nlohmann::json::parse(keyring_to_json(keyring));
  bad_status["keys"][0]["status"] = "maybe";
  CHECK(keyring_parse(bad_status.dump()).error() == errc::malformed);
}

TEST_CASE("footers carry exactly one well-formed kid") {
  const auto kid = paserk_pid(SecretKey::generate().public_key());
  CHECK(untrusted_footer_kid(nlohmann::json{{"kid", kid.value}}.dump())->value == kid.value);
  CHECK(untrusted_footer_kid("").error() == errc::malformed);
  CHECK(untrusted_footer_kid(R"({"kid":"k4.pid.nope"})").error() == errc::malformed);
  CHECK(untrusted_footer_kid(nlohmann::json{{"kid", kid.value}, {"x", 1}}.dump()).error() == errc::malformed);
}
