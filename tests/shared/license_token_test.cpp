#include <doctest/doctest.h>

#include "licensor/keyring_document.hpp"
#include "licensor/license_token.hpp"
#include "licensor/paserk.hpp"
#include "licensor/paseto.hpp"
#include "licensor/signed_document.hpp"

using namespace licensor;

namespace {

struct fixture {
  SecretKey signing = SecretKey::generate();
  KeyId kid = paserk_pid(signing.public_key());
  keyring_document keyring;

  fixture() { keyring.keys = {{kid, signing.public_key(), key_status::active, 0}}; }

  [[nodiscard]] std::string token() const {
    license_claims claims;
    claims.sub = "lic_1";
    claims.email = "ada@example.com";
    return license_token_sign(claims, signing);
  }
};

}  // namespace

TEST_CASE("a token signed by a listed key opens with its kid and claims") {
  const fixture f;
  auto opened = license_token_open(f.token(), license_keys(f.keyring));
  REQUIRE(opened.ok());
  CHECK(opened->kid == f.kid);
  CHECK(opened->claims.sub == "lic_1");
  CHECK(opened->claims.email == "ada@example.com");
}

TEST_CASE("revocation wins over a valid signature, and is reported before unknown") {
  fixture f;
  f.keyring.revoked = {f.kid};
  KeyId named;
  CHECK(license_token_open(f.token(), license_keys(f.keyring), &named).error() == errc::revoked_key);
  CHECK(named == f.kid);

  // Revoked and no longer listed: still revoked, not unknown.
  f.keyring.keys.clear();
  CHECK(license_token_open(f.token(), license_keys(f.keyring)).error() == errc::revoked_key);
}

TEST_CASE("a kid the keyring does not list is unknown; another key's signature is bad") {
  const fixture f;
  CHECK(license_token_open(f.token(), license_keys{}).error() == errc::unknown_key);

  auto tampered = f.keyring;
  tampered.keys[0].public_key = SecretKey::generate().public_key();  // the same kid, another key
  CHECK(license_token_open(f.token(), license_keys(tampered)).error() == errc::bad_signature);
}

TEST_CASE("shape failures are refused before any key is looked up") {
  const fixture f;
  const license_keys keys(f.keyring);
  KeyId named;
  CHECK(license_token_open("", keys, &named).error() == errc::wrong_version);
  CHECK(license_token_open("v4.public.!!!", keys, &named).error() == errc::malformed);
  CHECK(named.value.empty());
  // A footer that is not {"kid": k4.pid}: malformed, and no kid is reported.
  const auto no_kid = paseto_sign(f.signing, R"({"sub":"x"})", R"({"key":"x"})", license_assertion);
  CHECK(license_token_open(no_kid, keys, &named).error() == errc::malformed);
  CHECK(named.value.empty());
}

TEST_CASE("claims that are not a license object are malformed after the signature checks") {
  const fixture f;
  const auto footer = R"({"kid":")" + f.kid.value + R"("})";
  const auto token = paseto_sign(f.signing, "[1,2]", footer, license_assertion);
  CHECK(license_token_open(token, license_keys(f.keyring)).error() == errc::malformed);
}
