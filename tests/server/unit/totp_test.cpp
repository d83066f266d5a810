// Second factor: RFC 6238 codes (the RFC's own vectors), RFC 4648 base32, the acceptance window
// and replay rule of totp_check, the provisioning URI, and recovery codes.
#include <doctest/doctest.h>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/totp.hpp"

using namespace licensor;
using namespace licensor::server;

namespace {

std::vector<std::uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

// RFC 6238 Appendix B: the seeds are ASCII digits, one length per hash.
const auto seed_sha1 = bytes_of("12345678901234567890");
const auto seed_sha256 = bytes_of("12345678901234567890123456789012");
const auto seed_sha512 = bytes_of("1234567890123456789012345678901234567890123456789012345678901234");
// The SHA-1 seed in base32; its codes at steps 0..9 are RFC 4226 Appendix D's HOTP values.
constexpr std::string_view rfc_secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const std::vector<std::string> rfc4226_codes = {"755224", "287082", "359152", "969429", "338314",
                                                "254676", "287922", "162583", "399871", "520489"};

}  // namespace

TEST_CASE("codes match RFC 6238 Appendix B for SHA-1, SHA-256 and SHA-512") {
  struct known_answer {
    std::int64_t time;
    std::string sha1, sha256, sha512;
  };
  const known_answer vectors[] = {
      {59, "94287082", "46119246", "90693936"},
      {1111111109, "07081804", "68084774", "25091201"},
      {1111111111, "14050471", "67062674", "99943326"},
      {1234567890, "89005924", "91819424", "93441116"},
      {2000000000, "69279037", "90698825", "38618901"},
      {20000000000, "65353130", "77737706", "47863826"},
  };
  for (const auto& v : vectors) {
    CAPTURE(v.time);
    CHECK(totp_code(seed_sha1, v.time, 8, totp_hash::sha1) == v.sha1);
    CHECK(totp_code(seed_sha256, v.time, 8, totp_hash::sha256) == v.sha256);
    CHECK(totp_code(seed_sha512, v.time, 8, totp_hash::sha512) == v.sha512);
  }
}

TEST_CASE("six-digit SHA-1 codes are the HOTP values of RFC 4226 Appendix D, one per 30 s") {
  for (std::size_t step = 0; step < rfc4226_codes.size(); ++step) {
    const auto start = static_cast<std::int64_t>(step) * 30;
    CAPTURE(step);
    CHECK(totp_code(seed_sha1, start) == rfc4226_codes[step]);
    CHECK(totp_code(seed_sha1, start + 29) == rfc4226_codes[step]);
  }
  CHECK(totp_code(seed_sha1, 1111111109, 6) == "081804");  // leading zero kept
  CHECK(totp_code(seed_sha1, 59, 7) == "4287082");
}

TEST_CASE("codes are refused for unsupported digits and times before 1970") {
  CHECK(totp_code(seed_sha1, 59, 5).empty());
  CHECK(totp_code(seed_sha1, 59, 9).empty());
  CHECK(totp_code(seed_sha1, 59, 0).empty());
  CHECK(totp_code(seed_sha1, -1).empty());
  CHECK(totp_code({}, 59).size() == 6);  // an empty key is still an HMAC key; totp_check refuses it
}

TEST_CASE("base32 follows RFC 4648 without padding") {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},          {"f", "MY"},          {"fo", "MZXQ"},         {"foo", "MZXW6"},
      {"foob", "MZXW6YQ"}, {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI"},
  };
  for (const auto& known : vectors) {
    const auto plain = known.first;  // named, not bound: clang 14 cannot CAPTURE a structured binding
    const auto encoded = known.second;
    CAPTURE(plain);
    CHECK(base32_encode(bytes_of(plain)) == encoded);
    const auto decoded = base32_decode(encoded);
    REQUIRE(decoded.ok());
    CHECK(*decoded == bytes_of(plain));
  }
  CHECK(base32_encode(seed_sha1) == rfc_secret);

  SUBCASE("decoding takes lower case and ignores spaces") {
    const auto decoded = base32_decode("mzxw 6ytb oi");
    REQUIRE(decoded.ok());
    CHECK(*decoded == bytes_of("foobar"));
    const auto grouped = base32_decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq");
    REQUIRE(grouped.ok());
    CHECK(*grouped == seed_sha1);
  }
  SUBCASE("bad characters, padding, impossible lengths and stray bits are malformed") {
    for (const std::string_view bad : {"MZXW1", "MZXW0", "MZXW8", "MZXW6===", "MY======", "MZ-XW", "MZXW6\n",
                                       "MZXW6\xc3\xa9", "M", "MZX", "MZXW6Y", "MZ", "MZXR", "MZXW7", "MZXW6YR"}) {
      CAPTURE(bad);
      const auto decoded = base32_decode(bad);
      REQUIRE_FALSE(decoded.ok());
      CHECK(decoded.error() == errc::malformed);
    }
  }
}

TEST_CASE("new secrets are 20 random bytes in base32") {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const auto secret = totp_secret_generate();
    CHECK(secret.size() == 32);
    CHECK(secret.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == std::string::npos);
    const auto decoded = base32_decode(secret);
    REQUIRE(decoded.ok());
    CHECK(decoded->size() == totp_secret_bytes);
    CHECK(seen.insert(secret).second);
  }
}

TEST_CASE("a code is accepted one step either side of now, and only once") {
  const std::int64_t now = 5 * 30 + 10;  // step 5
  SUBCASE("the previous, current and next steps match and return their step") {
    CHECK(totp_check(rfc_secret, rfc4226_codes[4], now, -1) == 4);
    CHECK(totp_check(rfc_secret, rfc4226_codes[5], now, -1) == 5);
    CHECK(totp_check(rfc_secret, rfc4226_codes[6], now, -1) == 6);
    CHECK(totp_check("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", rfc4226_codes[5], now, -1) == 5);
  }
  SUBCASE("two steps away is refused") {
    CHECK_FALSE(totp_check(rfc_secret, rfc4226_codes[3], now, -1).has_value());
    CHECK_FALSE(totp_check(rfc_secret, rfc4226_codes[7], now, -1).has_value());
  }
  SUBCASE("any one changed digit is refused") {
    for (std::size_t at = 0; at < 6; ++at) {
      for (char digit = '0'; digit <= '9'; ++digit) {
        auto changed = rfc4226_codes[5];
        if (changed[at] == digit) continue;
        changed[at] = digit;
        CAPTURE(changed);
        CHECK_FALSE(totp_check(rfc_secret, changed, now, -1).has_value());
      }
    }
  }
  SUBCASE("a step at or before the last used one is a replay") {
    CHECK_FALSE(totp_check(rfc_secret, rfc4226_codes[5], now, 5).has_value());
    CHECK_FALSE(totp_check(rfc_secret, rfc4226_codes[4], now, 5).has_value());
    CHECK_FALSE(totp_check(rfc_secret, rfc4226_codes[5], now, 6).has_value());
    CHECK(totp_check(rfc_secret, rfc4226_codes[6], now, 5) == 6);
    CHECK(totp_check(rfc_secret, rfc4226_codes[5], now, 4) == 5);
  }
  SUBCASE("the first step has no step before it") {
    CHECK(totp_check(rfc_secret, rfc4226_codes[0], 0, -1) == 0);
    CHECK(totp_check(rfc_secret, rfc4226_codes[1], 29, -1) == 1);
    CHECK_FALSE(totp_check(rfc_secret, rfc4226_codes[0], -1, -1).has_value());
  }
  SUBCASE("codes that are not exactly six ASCII digits are refused") {
    const std::string_view malformed[] = {"",        "12345",  "1234567", "12a456", "25467 ",
                                          " 254676", "２５４６７６", "-54676", "2546760", std::string_view("254676\0", 7)};
    for (const auto bad : malformed) {
      CAPTURE(bad);
      CHECK_FALSE(totp_check(rfc_secret, bad, now, -1).has_value());
    }
  }
  SUBCASE("secrets that do not decode or are under 128 bits are refused") {
    CHECK_FALSE(totp_check("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1", rfc4226_codes[5], now, -1).has_value());
    CHECK_FALSE(totp_check("", rfc4226_codes[5], now, -1).has_value());
    const auto short_secret = base32_encode(bytes_of("123456789012345"));  // 15 bytes
    CHECK_FALSE(totp_check(short_secret, totp_code(bytes_of("123456789012345"), now), now, -1).has_value());
    const auto min_secret = base32_encode(bytes_of("1234567890123456"));  // 16 bytes
    CHECK(totp_check(min_secret, totp_code(bytes_of("1234567890123456"), now), now, -1) == 5);
  }
  SUBCASE("a fresh secret's current code passes once") {
    const auto secret = totp_secret_generate();
    const std::int64_t t = 1767225600;  // 2026-01-01
    const auto code = totp_code(*base32_decode(secret), t);
    const auto step = totp_check(secret, code, t, -1);
    REQUIRE(step.has_value());
    CHECK(*step == t / 30);
    CHECK_FALSE(totp_check(secret, code, t, *step).has_value());
  }
}

TEST_CASE("the provisioning URI escapes issuer and account") {
  CHECK(totp_uri("Licensor", "ann@example.com", rfc_secret) ==
        "otpauth://totp/Licensor:ann%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Licensor"
        "&algorithm=SHA1&digits=6&period=30");
  CHECK(totp_uri("Acme Licensing", "ann+totp@example.com", "MZXW6YTBOI") ==
        "otpauth://totp/Acme%20Licensing:ann%2Btotp%40example.com?secret=MZXW6YTBOI&issuer=Acme%20Licensing"
        "&algorithm=SHA1&digits=6&period=30");
  CHECK(totp_uri("A:B&C=D", "é@x.org", "MY") ==
        "otpauth://totp/A%3AB%26C%3DD:%C3%A9%40x.org?secret=MY&issuer=A%3AB%26C%3DD&algorithm=SHA1&digits=6&period=30");
}

TEST_CASE("recovery codes are distinct, unambiguous and typed loosely") {
  const auto codes = recovery_codes_generate();
  REQUIRE(codes.size() == 10);
  CHECK(recovery_codes_generate(3).size() == 3);
  CHECK(recovery_codes_generate(0).empty());
  std::set<std::string> seen;
  for (const auto& code : recovery_codes_generate(200)) {
    CAPTURE(code);
    REQUIRE(code.size() == 11);
    CHECK(code[5] == '-');
    for (std::size_t i = 0; i < code.size(); ++i) {
      if (i == 5) continue;
      CHECK(std::string_view("23456789abcdefghjkmnpqrstuvwxyz").find(code[i]) != std::string_view::npos);
    }
    CHECK(recovery_code_normalise(code).size() == 10);
    CHECK(seen.insert(recovery_code_normalise(code)).second);
  }
  SUBCASE("case, spaces and dashes do not matter") {
    CHECK(recovery_code_normalise("abcde-fghjk") == "abcdefghjk");
    CHECK(recovery_code_normalise("ABCDE FGHJK") == "abcdefghjk");
    CHECK(recovery_code_normalise(" abc de-fg\thjk- ") == "abcdefghjk");
    CHECK(recovery_code_normalise("abcdefghjk") == "abcdefghjk");
    CHECK(recovery_code_normalise(codes[0]) == recovery_code_normalise(" " + codes[0].substr(0, 5) + "  " + codes[0].substr(6)));
  }
  SUBCASE("other characters are kept, so a wrong code stays wrong") {
    CHECK(recovery_code_normalise("abcde_fghjk") == "abcde_fghjk");
    CHECK(recovery_code_normalise("abcde-fghj0") == "abcdefghj0");
    CHECK(recovery_code_normalise("") == "");
  }
}
