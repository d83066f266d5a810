// People's passwords: Argon2id hashes that verify only the right password, salted, with
// today's parameters; and the length rules (12 characters to 256 bytes of UTF-8).
#include <doctest/doctest.h>
#include <sodium.h>

#include <string>

#include "domain/password.hpp"

using namespace licensor;
using namespace licensor::server;

TEST_CASE("a hash verifies its password and nothing else") {
  const auto hashed = password_hash("correct horse battery");
  REQUIRE(hashed.ok());
  CHECK(hashed->starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
  CHECK(password_verify(*hashed, "correct horse battery"));
  CHECK_FALSE(password_verify(*hashed, "correct horse batterY"));
  CHECK_FALSE(password_verify(*hashed, ""));
  CHECK_FALSE(password_verify("", "correct horse battery"));
  CHECK_FALSE(password_verify("not a hash", "correct horse battery"));
  auto flipped = *hashed;
  flipped[flipped.size() - 2] = flipped[flipped.size() - 2] == 'A' ? 'B' : 'A';
  CHECK_FALSE(password_verify(flipped, "correct horse battery"));
  const auto again = password_hash("correct horse battery");
  REQUIRE(again.ok());
  CHECK(*again != *hashed);  // a fresh salt each time
  CHECK_FALSE(password_needs_rehash(*hashed));
}

TEST_CASE("a hash made with weaker parameters asks to be redone") {
  std::string weak(crypto_pwhash_STRBYTES, '\0');
  const std::string secret = "correct horse battery";
  REQUIRE(crypto_pwhash_str_alg(weak.data(), secret.data(), secret.size(), crypto_pwhash_OPSLIMIT_MIN,
                                crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13) == 0);
  weak.resize(weak.find('\0'));
  CHECK(password_verify(weak, secret));
  CHECK(password_needs_rehash(weak));
}

TEST_CASE("passwords are 12 characters to 256 bytes of UTF-8, with no rule on their make-up") {
  CHECK_FALSE(password_acceptable("elevenchars").ok());
  CHECK(password_acceptable("twelve chars").ok());
  CHECK(password_acceptable("aaaaaaaaaaaa").ok());
  CHECK(password_acceptable("ñññññññññññ1").ok());  // 12 characters, 23 bytes
  CHECK_FALSE(password_acceptable("ñññññññññññ").ok());  // 11 characters, 22 bytes
  CHECK(password_acceptable(std::string(256, 'a')).ok());
  CHECK(password_acceptable(std::string(257, 'a')).error() == errc::weak_password);
  CHECK(password_acceptable("valid prefix\xff\xfe").error() == errc::weak_password);
  CHECK(password_acceptable("truncated end \xe2\x82").error() == errc::weak_password);
}
