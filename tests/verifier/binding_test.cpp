// What binds a license to an app and a customer: product, email, app version, fingerprint.
#include <doctest/doctest.h>

#include "verifier_fixture.hpp"

using namespace licensor;
using namespace licensor::testing;

TEST_CASE("product") {
  verifier_setup setup;
  const auto token = setup.sign(sample_claims());
  auto ctx = sample_context();
  ctx.product = "acme-editor-pro";
  CHECK(setup.check(token, ctx) == verify_status::wrong_product);
  ctx.product = "";
  CHECK(setup.check(token, ctx) == verify_status::wrong_product);
  ctx.product = "ACME-EDITOR";  // product ids are exact
  CHECK(setup.check(token, ctx) == verify_status::wrong_product);
}

TEST_CASE("email") {
  verifier_setup setup;
  const auto token = setup.sign(sample_claims());
  auto ctx = sample_context();
  SUBCASE("not checked when empty") { CHECK(setup.check(token, ctx) == verify_status::valid); }
  SUBCASE("case and surrounding space do not matter") {
    ctx.expected_email = "  Ann@Example.COM \t";
    CHECK(setup.check(token, ctx) == verify_status::valid);
  }
  SUBCASE("another address") {
    ctx.expected_email = "bob@example.com";
    CHECK(setup.check(token, ctx) == verify_status::email_mismatch);
  }
  SUBCASE("not an address at all") {
    ctx.expected_email = "ann";
    CHECK(setup.check(token, ctx) == verify_status::email_mismatch);
  }
}

TEST_CASE("app version range") {
  verifier_setup setup;
  auto claims = sample_claims();
  claims.min_version = "20";
  claims.max_version = "21.5";
  const auto token = setup.sign(claims);
  auto ctx_for = [](std::string version) {
    auto ctx = sample_context();
    ctx.app_version = std::move(version);
    return ctx;
  };
  CHECK(setup.check(token, ctx_for("20")) == verify_status::valid);
  CHECK(setup.check(token, ctx_for("20.0.0")) == verify_status::valid);
  CHECK(setup.check(token, ctx_for("21.5")) == verify_status::valid);
  CHECK(setup.check(token, ctx_for("19.9.9")) == verify_status::version_not_covered);
  CHECK(setup.check(token, ctx_for("21.5.1")) == verify_status::version_not_covered);
  CHECK(setup.check(token, ctx_for("22")) == verify_status::version_not_covered);
  CHECK(setup.check(token, ctx_for("20.x")) == verify_status::version_not_covered);
  CHECK(setup.check(token, ctx_for("")) == verify_status::valid);  // not checked

  SUBCASE("open-ended ranges") {
    auto only_min = sample_claims();
    only_min.min_version = "20";
    CHECK(setup.check(setup.sign(only_min), ctx_for("999")) == verify_status::valid);
    CHECK(setup.check(setup.sign(only_min), ctx_for("19")) == verify_status::version_not_covered);
    CHECK(setup.check(setup.sign(sample_claims()), ctx_for("1")) == verify_status::valid);
  }
}

TEST_CASE("fingerprint") {
  verifier_setup setup;
  auto bound = sample_claims();
  bound.fingerprint = "machine-42";
  const auto bound_token = setup.sign(bound);
  const auto unbound_token = setup.sign(sample_claims());
  auto ctx = sample_context();

  CHECK(setup.check(bound_token, ctx) == verify_status::fingerprint_mismatch);  // none given
  ctx.fingerprint = "machine-43";
  CHECK(setup.check(bound_token, ctx) == verify_status::fingerprint_mismatch);
  ctx.fingerprint = "machine-42";
  CHECK(setup.check(bound_token, ctx) == verify_status::valid);
  CHECK(setup.check(unbound_token, ctx) == verify_status::valid);  // unbound: not checked
}

TEST_CASE("a valid outcome carries the claims and the kid") {
  verifier_setup setup;
  const auto outcome =
      setup.verifier.verify(setup.sign(sample_claims()), sample_context(), setup.last_trusted);
  CHECK(outcome.status == verify_status::valid);
  CHECK(outcome.claims == sample_claims());
  CHECK(outcome.kid == paserk_pid(setup.signer.public_key()));
}

TEST_CASE("checks run in the documented order") {
  verifier_setup setup;
  auto claims = sample_claims();
  claims.fingerprint = "machine-42";
  claims.min_version = "20";
  const auto token = setup.sign(claims);
  auto ctx = sample_context(issued_at + thirty_days + 3600);  // expired
  ctx.product = "other";
  ctx.expected_email = "bob@example.com";
  ctx.app_version = "1";
  CHECK(setup.check(token, ctx) == verify_status::expired);
  ctx.now = issued_at + 60;
  CHECK(setup.check(token, ctx) == verify_status::wrong_product);
  ctx.product = "acme-editor";
  CHECK(setup.check(token, ctx) == verify_status::email_mismatch);
  ctx.expected_email = "ann@example.com";
  CHECK(setup.check(token, ctx) == verify_status::version_not_covered);
  ctx.app_version = "20";
  CHECK(setup.check(token, ctx) == verify_status::fingerprint_mismatch);
  ctx.fingerprint = "machine-42";
  CHECK(setup.check(token, ctx) == verify_status::valid);
}

TEST_CASE("verify_status_name is the enumerator's name") {
  CHECK(verify_status_name(verify_status::valid) == "valid");
  CHECK(verify_status_name(verify_status::valid_in_grace) == "valid_in_grace");
  CHECK(verify_status_name(verify_status::version_not_covered) == "version_not_covered");
  CHECK(verify_status_name(verify_status::keyring_rollback) == "keyring_rollback");
  CHECK(verify_status_name(static_cast<verify_status>(99)) == "unknown");
}
