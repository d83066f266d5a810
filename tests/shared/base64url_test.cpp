#include <doctest/doctest.h>

#include <string>

#include "licensor/base64url.hpp"
#include "licensor/pae.hpp"

using licensor::base64url_decode;
using licensor::base64url_encode;
using licensor::errc;

namespace {
std::string encode(std::string_view text) {
  return base64url_encode({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}
}  // namespace

TEST_CASE("base64url round-trips RFC 4648 test strings without padding") {
  CHECK(encode("") == "");
  CHECK(encode("f") == "Zg");
  CHECK(encode("fo") == "Zm8");
  CHECK(encode("foo") == "Zm9v");
  CHECK(encode("foob") == "Zm9vYg");
  CHECK(encode("fooba") == "Zm9vYmE");
  CHECK(encode("foobar") == "Zm9vYmFy");
  CHECK(encode("\xfb\xff") == "-_8");
  for (const std::string_view text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto decoded = base64url_decode(encode(text));
    REQUIRE(decoded.ok());
    CHECK(std::string(decoded->begin(), decoded->end()) == text);
  }
}

TEST_CASE("base64url rejects padding, foreign characters, bad lengths and dirty bits") {
  CHECK(base64url_decode("Zg==").error() == errc::malformed);
  CHECK(base64url_decode("Zm9v+g").error() == errc::malformed);
  CHECK(base64url_decode("Zm9v/g").error() == errc::malformed);
  CHECK(base64url_decode("Zm9 v").error() == errc::malformed);
  CHECK(base64url_decode("Z").error() == errc::malformed);
  CHECK(base64url_decode("Zh").error() == errc::malformed);   // "Zg" with a dirty low bit
  CHECK(base64url_decode("Zm9").error() == errc::malformed);  // "Zm8" with dirty bits
  CHECK(base64url_decode("Zg").ok());
}

TEST_CASE("PAE matches the PASETO spec examples") {
  const auto empty = licensor::pae({});
  CHECK(empty == std::vector<std::uint8_t>(8, 0));
  const auto one_empty = licensor::pae({""});
  CHECK(one_empty == std::vector<std::uint8_t>{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  const auto test = licensor::pae({"test"});
  CHECK(test == std::vector<std::uint8_t>{1, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 't', 'e', 's', 't'});
}
