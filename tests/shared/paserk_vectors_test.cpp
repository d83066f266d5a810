// The official PASERK k4 vectors: k4.public, k4.secret, k4.pid, k4.sid and k4.secret-pw.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "licensor/paserk.hpp"
#include "test_data.hpp"

using namespace licensor;
using licensor::testing::from_hex;

namespace {

nlohmann::json vectors(const char* file) {
  return nlohmann::json::parse(testing::read_text(testing::data_path(std::string("vectors/paserk/") + file)))["tests"];
}

}  // namespace

TEST_CASE("k4.public vectors") {
  for (const auto& vector : vectors("k4.public.json")) {
    CAPTURE(vector["name"].get<std::string>());
    const auto key = public_key_from_bytes(from_hex(vector["key"].get<std::string>()));
    if (vector["expect-fail"].get<bool>()) {
      CHECK_FALSE(key.ok());
      continue;
    }
    REQUIRE(key.ok());
    const auto paserk = vector["paserk"].get<std::string>();
    CHECK(paserk_public(*key) == paserk);
    auto parsed = paserk_public_parse(paserk);
    REQUIRE(parsed.ok());
    CHECK(*parsed == *key);
  }
  CHECK(paserk_public_parse("k3.public.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").error() == errc::wrong_version);
  CHECK(paserk_public_parse("k4.public.AAAA").error() == errc::malformed);
}

TEST_CASE("k4.secret vectors") {
  for (const auto& vector : vectors("k4.secret.json")) {
    CAPTURE(vector["name"].get<std::string>());
    auto key = secret_key_from_bytes(from_hex(vector["key"].get<std::string>()));
    if (vector["expect-fail"].get<bool>()) {
      CHECK_FALSE(key.ok());
      continue;
    }
    REQUIRE(key.ok());
    const auto paserk = vector["paserk"].get<std::string>();
    CHECK(paserk_secret(*key) == paserk);
    auto parsed = paserk_secret_parse(paserk);
    REQUIRE(parsed.ok());
    CHECK(parsed->equals(*key));
    const auto public_key = public_key_from_bytes(from_hex(vector["public-key"].get<std::string>()));
    REQUIRE(public_key.ok());
    CHECK(key->public_key() == *public_key);
  }
}

TEST_CASE("a secret key whose public half does not match its seed is refused") {
  auto bytes = SecretKey::generate().bytes();
  bytes[40] ^= 1;
  CHECK(secret_key_from_bytes(bytes).error() == errc::malformed);
}

TEST_CASE("k4.pid vectors") {
  for (const auto& vector : vectors("k4.pid.json")) {
    CAPTURE(vector["name"].get<std::string>());
    const auto key = public_key_from_bytes(from_hex(vector["key"].get<std::string>()));
    if (vector["expect-fail"].get<bool>()) {
      CHECK_FALSE(key.ok());
      continue;
    }
    REQUIRE(key.ok());
    const auto pid = paserk_pid(*key);
    CHECK(pid.value == vector["paserk"].get<std::string>());
    CHECK(paserk_pid_well_formed(pid.value));
  }
  // The handbook's derived value for the 4-S-* key.
  const auto key = paserk_public_parse("k4.public.Hrnbu7wEfAP9cGBOAHHwmH4Wsot1ciXBHwBBXQ4gsaI");
  REQUIRE(key.ok());
  CHECK(paserk_pid(*key).value == "k4.pid.yh4-bJYjOYAG6CWy0zsfPmpKylxS7uAWrxqVmBN2KAiJ");
  CHECK_FALSE(paserk_pid_well_formed("k4.pid.short"));
  CHECK_FALSE(paserk_pid_well_formed("k4.sid.yh4-bJYjOYAG6CWy0zsfPmpKylxS7uAWrxqVmBN2KAiJ"));
}

TEST_CASE("k4.sid vectors") {
  for (const auto& vector : vectors("k4.sid.json")) {
    CAPTURE(vector["name"].get<std::string>());
    auto key = secret_key_from_bytes(from_hex(vector["key"].get<std::string>()));
    if (vector["expect-fail"].get<bool>()) {
      CHECK_FALSE(key.ok());
      continue;
    }
    REQUIRE(key.ok());
    CHECK(paserk_sid(*key) == vector["paserk"].get<std::string>());
  }
}

TEST_CASE("k4.secret-pw vectors unwrap, and failures are refused") {
  for (const auto& vector : vectors("k4.secret-pw.json")) {
    const auto name = vector["name"].get<std::string>();
    CAPTURE(name);
    // The upstream generator used the "password" field's text as is, hex digits included.
    const auto password = vector["password"].get<std::string>();
    auto unwrapped = paserk_secret_pw_unwrap(vector["paserk"].get<std::string>(), password);
    if (vector["expect-fail"].get<bool>()) {
      CHECK_FALSE(unwrapped.ok());
      continue;
    }
    REQUIRE(unwrapped.ok());
    auto expected = secret_key_from_bytes(from_hex(vector["unwrapped"].get<std::string>()));
    REQUIRE(expected.ok());
    CHECK(unwrapped->equals(*expected));
  }
}

TEST_CASE("k4.secret-pw wraps and unwraps our own keys") {
  const auto key = SecretKey::generate();
  const pbkw_limits cheap{crypto_pwhash_MEMLIMIT_MIN * 4, 1};
  auto wrapped = paserk_secret_pw_wrap(key, "correct horse", cheap);
  REQUIRE(wrapped.ok());
  CHECK(wrapped->starts_with("k4.secret-pw."));
  auto back = paserk_secret_pw_unwrap(*wrapped, "correct horse");
  REQUIRE(back.ok());
  CHECK(back->equals(key));
  CHECK(paserk_secret_pw_unwrap(*wrapped, "wrong horse").error() == errc::wrong_password);
  auto tampered = *wrapped;
  tampered[tampered.size() - 10] = tampered[tampered.size() - 10] == 'A' ? 'B' : 'A';
  CHECK_FALSE(paserk_secret_pw_unwrap(tampered, "correct horse").ok());
  CHECK(paserk_secret_pw_unwrap("k4.secret-pw.AAAA", "x").error() == errc::malformed);
}
