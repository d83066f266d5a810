// People's passwords: Argon2id hashes that verify only the right password, salted, with
// today's parameters; the length rules (12 characters to 256 bytes of well-formed UTF-8); and
// the short list of passwords too common to take.
#include <doctest/doctest.h>
#include <sodium.h>

#include <string>

#include "domain/password.hpp"

using namespace licensor;
using namespace licensor::server;

namespace {

std::string hash_with(const std::string& password, unsigned long long opslimit, std::size_t memlimit, int alg) {
  std::string out(crypto_pwhash_STRBYTES, '\0');
  REQUIRE(crypto_pwhash_str_alg(out.data(), password.data(), password.size(), opslimit, memlimit, alg) == 0);
  out.resize(out.find('\0'));
  return out;
}

}  // namespace

TEST_CASE("a hash verifies its password and nothing else") {
  const auto hashed = password_hash("correct horse battery");
  REQUIRE(hashed.ok());
  CHECK(hashed->starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
  CHECK(password_verify(*hashed, "correct horse battery"));

  SUBCASE("a wrong or empty password does not verify") {
    CHECK_FALSE(password_verify(*hashed, "correct horse batterY"));
    CHECK_FALSE(password_verify(*hashed, "correct horse battery "));
    CHECK_FALSE(password_verify(*hashed, "correct horse batter"));
    CHECK_FALSE(password_verify(*hashed, ""));
  }
  SUBCASE("an empty, malformed or truncated hash matches nothing") {
    CHECK_FALSE(password_verify("", "correct horse battery"));
    CHECK_FALSE(password_verify("", ""));
    CHECK_FALSE(password_verify("not a hash", "correct horse battery"));
    CHECK_FALSE(password_verify(hashed->substr(0, hashed->size() - 1), "correct horse battery"));
    CHECK_FALSE(password_verify(*hashed + std::string(1, '\0') + "tail", "correct horse battery"));
    CHECK_FALSE(password_verify(std::string(crypto_pwhash_STRBYTES, 'a'), "correct horse battery"));
  }
  SUBCASE("one changed character of the hash, salt or parameters fails") {
    const auto salt_at = hashed->find('$', hashed->find("p=1")) + 1;
    const auto hash_at = hashed->rfind('$') + 1;
    for (const auto at : {hashed->size() - 2, hash_at, salt_at, salt_at + 5, hashed->find("t=2") + 2,
                          hashed->find("m=19456") + 6, std::string::size_type{8}}) {
      auto changed = *hashed;
      changed[at] = changed[at] == 'A' ? 'B' : 'A';
      CAPTURE(changed);
      CHECK_FALSE(password_verify(changed, "correct horse battery"));
    }
  }
  SUBCASE("two hashes of one password differ: a fresh salt each time") {
    const auto again = password_hash("correct horse battery");
    REQUIRE(again.ok());
    CHECK(*again != *hashed);
    CHECK(password_verify(*again, "correct horse battery"));
  }
  SUBCASE("the empty password hashes and verifies like any other") {
    const auto empty = password_hash("");
    REQUIRE(empty.ok());
    CHECK(password_verify(*empty, ""));
    CHECK_FALSE(password_verify(*empty, " "));
  }
}

TEST_CASE("only a hash with today's algorithm and parameters is kept") {
  const std::string secret = "correct horse battery";
  const auto fresh = password_hash(secret);
  REQUIRE(fresh.ok());
  CHECK_FALSE(password_needs_rehash(*fresh));

  SUBCASE("weaker parameters") {
    const auto weak = hash_with(secret, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13);
    CHECK(password_verify(weak, secret));
    CHECK(password_needs_rehash(weak));
  }
  SUBCASE("another algorithm") {
    const auto argon2i = hash_with(secret, 3, crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2I13);
    CHECK(password_needs_rehash(argon2i));
  }
  SUBCASE("not a hash at all") {
    CHECK(password_needs_rehash(""));
    CHECK(password_needs_rehash("not a hash"));
    CHECK(password_needs_rehash(*fresh + std::string(1, '\0')));
  }
}

TEST_CASE("passwords are 12 characters to 256 bytes of UTF-8, with no rule on their make-up") {
  SUBCASE("length counts characters, 11 is too few") {
    CHECK(password_acceptable("elevenchars").error() == errc::weak_password);
    CHECK(password_acceptable("").error() == errc::weak_password);
    CHECK(password_acceptable("twelve chars").ok());
    CHECK(password_acceptable("aaaaaaaaaaaa").ok());
    CHECK(password_acceptable("            ").ok());  // no composition rules, spaces included
    CHECK(password_acceptable("ñññññññññññ1").ok());  // 12 characters, 23 bytes
    CHECK(password_acceptable("ñññññññññññ").error() == errc::weak_password);  // 11 characters, 22 bytes
    CHECK(password_acceptable("🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑").ok());  // 12 characters of 4 bytes
  }
  SUBCASE("size counts bytes, 257 is too many") {
    CHECK(password_acceptable(std::string(256, 'a')).ok());
    CHECK(password_acceptable(std::string(257, 'a')).error() == errc::weak_password);
    std::string two_byte;
    for (int i = 0; i < 128; ++i) two_byte += "ñ";
    CHECK(password_acceptable(two_byte).ok());  // 128 characters, 256 bytes
    CHECK(password_acceptable(two_byte + "a").error() == errc::weak_password);
  }
  SUBCASE("anything but well-formed UTF-8 is refused") {
    CHECK(password_acceptable("valid prefix\xff\xfe").error() == errc::weak_password);
    CHECK(password_acceptable("truncated end \xe2\x82").error() == errc::weak_password);
    CHECK(password_acceptable("lone continuation \x80").error() == errc::weak_password);
    CHECK(password_acceptable("overlong slash \xc0\xaf").error() == errc::weak_password);
    CHECK(password_acceptable("overlong three \xe0\x80\xaf").error() == errc::weak_password);
    CHECK(password_acceptable("overlong four \xf0\x80\x80\xaf").error() == errc::weak_password);
    CHECK(password_acceptable("a surrogate \xed\xa0\x80").error() == errc::weak_password);
    CHECK(password_acceptable("past U+10FFFF \xf4\x90\x80\x80").error() == errc::weak_password);
    CHECK(password_acceptable("bad second \xe2\x28\xa1 byte").error() == errc::weak_password);
    CHECK(password_acceptable("the last one \xf4\x8f\xbf\xbf").ok());  // U+10FFFF itself
    CHECK(password_acceptable("just below \xed\x9f\xbf surrogates").ok());  // U+D7FF
  }
}

TEST_CASE("the commonest long passwords and one repeated character are too common") {
  CHECK(password_too_common("password1234"));
  CHECK(password_too_common("Password1234"));
  CHECK(password_too_common("123456789012"));
  CHECK(password_too_common("QWERTYUIOP12"));
  CHECK(password_too_common("aaaaaaaaaaaa"));
  CHECK(password_too_common("            "));
  CHECK_FALSE(password_too_common("correct horse battery"));
  CHECK_FALSE(password_too_common("password12345678"));
  CHECK_FALSE(password_too_common("aaaaaaaaaaab"));
  CHECK_FALSE(password_too_common(""));
}
