// The official PASETO v4 test vectors: every 4-S-* verifies and re-signs byte for byte,
// every 4-F-* is rejected.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "licensor/paserk.hpp"
#include "licensor/paseto.hpp"
#include "test_data.hpp"

using namespace licensor;
using licensor::testing::from_hex;

namespace {

nlohmann::json v4_vectors() {
  return nlohmann::json::parse(testing::read_text(testing::data_path("vectors/paseto/v4.json")))["tests"];
}

}  // namespace

TEST_CASE("PASETO v4.public success vectors verify and re-sign byte for byte") {
  int checked = 0;
  for (const auto& vector : v4_vectors()) {
    const auto name = vector["name"].get<std::string>();
    if (!name.starts_with("4-S-")) continue;
    CAPTURE(name);
    const auto public_key = public_key_from_bytes(from_hex(vector["public-key"].get<std::string>()));
    auto secret_key = secret_key_from_bytes(from_hex(vector["secret-key"].get<std::string>()));
    REQUIRE(public_key.ok());
    REQUIRE(secret_key.ok());
    const auto token = vector["token"].get<std::string>();
    const auto payload = vector["payload"].get<std::string>();
    const auto footer = vector["footer"].get<std::string>();
    const auto implicit = vector["implicit-assertion"].get<std::string>();

    auto verified = paseto_verify(token, *public_key, implicit);
    REQUIRE(verified.ok());
    CHECK(verified->payload == payload);
    CHECK(verified->footer == footer);
    CHECK(paseto_sign(*secret_key, payload, footer, implicit) == token);

    // A different implicit assertion is a different signature.
    CHECK(paseto_verify(token, *public_key, implicit + "x").error() == errc::bad_signature);
    ++checked;
  }
  CHECK(checked == 3);
}

TEST_CASE("PASETO v4 failure vectors are rejected") {
  int checked = 0;
  for (const auto& vector : v4_vectors()) {
    const auto name = vector["name"].get<std::string>();
    if (!name.starts_with("4-F-")) continue;
    CAPTURE(name);
    const auto key_hex = vector.contains("public-key") ? vector["public-key"] : vector["key"];
    const auto key = public_key_from_bytes(from_hex(key_hex.get<std::string>()));
    REQUIRE(key.ok());
    const auto implicit = vector["implicit-assertion"].get<std::string>();
    const auto verified = paseto_verify(vector["token"].get<std::string>(), *key, implicit);
    CHECK_FALSE(verified.ok());
    ++checked;
  }
  CHECK(checked == 5);
}

TEST_CASE("a v4.public token with any single byte changed is rejected") {
  const auto secret = SecretKey::generate();
  const auto token = paseto_sign(secret, R"({"sub":"lic_1"})", R"({"kid":"x"})", "licensor:license:v1");
  REQUIRE(paseto_verify(token, secret.public_key(), "licensor:license:v1").ok());
  for (std::size_t i = 0; i < token.size(); ++i) {
    for (const char replacement : {'A', 'b', '-', '.'}) {
      if (token[i] == replacement) continue;
      auto altered = token;
      altered[i] = replacement;
      CAPTURE(i);
      CHECK_FALSE(paseto_verify(altered, secret.public_key(), "licensor:license:v1").ok());
    }
  }
  CHECK_FALSE(paseto_verify(token + "A", secret.public_key(), "licensor:license:v1").ok());
  CHECK_FALSE(paseto_verify(token.substr(0, token.size() - 1), secret.public_key(), "licensor:license:v1").ok());
  CHECK(paseto_verify(token, SecretKey::generate().public_key(), "licensor:license:v1").error() ==
        errc::bad_signature);
}

TEST_CASE("paseto_parse rejects other versions, purposes and shapes") {
  CHECK(paseto_parse("v2.public.AAAA").error() == errc::wrong_version);
  CHECK(paseto_parse("v4.local.AAAA").error() == errc::wrong_version);
  CHECK(paseto_parse("v4.public.").error() == errc::malformed);
  CHECK(paseto_parse("v4.public.AAAA").error() == errc::malformed);  // shorter than a signature
  const auto secret = SecretKey::generate();
  const auto token = paseto_sign(secret, "{}", "", "");
  CHECK(token.find('.', paseto_v4_public_header.size()) == std::string::npos);
  CHECK(paseto_parse(token + ".").error() == errc::malformed);
  CHECK(paseto_parse(token + ".e30.e30").error() == errc::malformed);
}
