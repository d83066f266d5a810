// The footer's kid: the compact form every signer writes and any other JSON spelling of the
// same kid give the same verdict; anything but exactly {"kid": k4.pid} is malformed.
#include <doctest/doctest.h>

#include <string>

#include "licensor/paserk.hpp"
#include "licensor/paseto.hpp"
#include "licensor/signed_document.hpp"
#include "verifier_fixture.hpp"

using namespace licensor;
using namespace licensor::testing;

namespace {

verify_outcome with_footer(verifier_setup& setup, const std::string& footer) {
  const auto token =
      paseto_sign(setup.signer, claims_to_json(sample_claims()), footer, license_assertion);
  return setup.verifier.verify(token, sample_context(), setup.last_trusted);
}

}  // namespace

TEST_CASE("footer spellings") {
  verifier_setup setup;
  const auto kid = paserk_pid(setup.signer.public_key()).value;

  CHECK(with_footer(setup, R"({"kid":")" + kid + R"("})").status == verify_status::valid);
  CHECK(with_footer(setup, R"({ "kid" : ")" + kid + R"(" })").status == verify_status::valid);
  // "k" written as a JSON escape is still the same kid.
  const auto escaped = with_footer(setup, R"({"kid":"\u006b)" + kid.substr(1) + R"("})");
  CHECK(escaped.status == verify_status::valid);
  CHECK(escaped.kid.value == kid);

  CHECK(with_footer(setup, R"({"kid":")" + kid + R"(","x":1})").status == verify_status::malformed);
  CHECK(with_footer(setup, R"({"kid":"k4.pid.short"})").status == verify_status::malformed);
  CHECK(with_footer(setup, R"({"kid":")" + kid + R"(x"})").status == verify_status::malformed);
  CHECK(with_footer(setup, R"({"kid":1})").status == verify_status::malformed);
  CHECK(with_footer(setup, R"(["kid"])").status == verify_status::malformed);
  CHECK(with_footer(setup, "").status == verify_status::malformed);

  const auto stranger = paserk_pid(SecretKey::generate().public_key()).value;
  const auto unknown = with_footer(setup, R"({"kid":")" + stranger + R"("})");
  CHECK(unknown.status == verify_status::unknown_key);
  CHECK(unknown.kid.value == stranger);
}
