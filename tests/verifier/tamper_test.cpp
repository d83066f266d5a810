// Every single-byte change to a license token's payload, signature or footer is rejected,
// and so is every single-character change to its text.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "licensor/base64url.hpp"
#include "licensor/paseto.hpp"
#include "verifier_fixture.hpp"

using namespace licensor;
using namespace licensor::testing;

namespace {

std::vector<std::uint8_t> to_bytes(std::string_view text) { return {text.begin(), text.end()}; }

// Rebuilds a v4.public token from raw body (payload + signature) and footer bytes.
std::string assemble(const std::vector<std::uint8_t>& body,
                     const std::vector<std::uint8_t>& footer) {
  return std::string(paseto_v4_public_header) + base64url_encode(body) + "." +
         base64url_encode(footer);
}

bool accepted(verify_status status) {
  return status == verify_status::valid || status == verify_status::valid_in_grace;
}

constexpr std::uint8_t masks[] = {0x01, 0x80, 0xff};

}  // namespace

TEST_CASE("the untampered token is valid") {
  verifier_setup setup;
  CHECK(setup.check(setup.sign(sample_claims()), sample_context()) == verify_status::valid);
}

TEST_CASE("every changed byte of payload or signature fails the signature") {
  verifier_setup setup;
  const auto parsed = paseto_parse(setup.sign(sample_claims()));
  REQUIRE(parsed.ok());
  auto body = to_bytes(parsed->untrusted_payload);
  body.insert(body.end(), parsed->signature.begin(), parsed->signature.end());
  const auto footer = to_bytes(parsed->untrusted_footer);
  REQUIRE(setup.check(assemble(body, footer), sample_context()) == verify_status::valid);

  int rejected = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    for (const auto mask : masks) {
      auto changed = body;
      changed[i] ^= mask;
      const auto status = setup.check(assemble(changed, footer), sample_context());
      CHECK_MESSAGE(status == verify_status::bad_signature, "byte ", i, " mask ", int(mask));
      rejected += status == verify_status::bad_signature;
    }
  }
  CHECK(rejected == static_cast<int>(body.size() * std::size(masks)));
}

TEST_CASE("every changed byte of the footer is rejected") {
  verifier_setup setup;
  const auto parsed = paseto_parse(setup.sign(sample_claims()));
  REQUIRE(parsed.ok());
  auto body = to_bytes(parsed->untrusted_payload);
  body.insert(body.end(), parsed->signature.begin(), parsed->signature.end());
  const auto footer = to_bytes(parsed->untrusted_footer);

  for (std::size_t i = 0; i < footer.size(); ++i) {
    for (const auto mask : masks) {
      auto changed = footer;
      changed[i] ^= mask;
      const auto status = setup.check(assemble(body, changed), sample_context());
      // Which check fires depends on the byte (JSON shape, kid lookup, signature).
      CHECK_MESSAGE((status == verify_status::malformed || status == verify_status::unknown_key ||
                     status == verify_status::bad_signature),
                    "byte ", i, " mask ", int(mask), " gave ", verify_status_name(status));
    }
  }
}

TEST_CASE("every changed character of the token text is rejected") {
  verifier_setup setup;
  const auto token = setup.sign(sample_claims());
  for (std::size_t i = 0; i < token.size(); ++i) {
    for (const char replacement : {'A', '_', '.', '='}) {
      if (token[i] == replacement) continue;
      auto changed = token;
      changed[i] = replacement;
      CHECK_MESSAGE(!accepted(setup.check(changed, sample_context())), "position ", i);
    }
  }
}

TEST_CASE("truncated, extended and empty tokens are malformed or fail") {
  verifier_setup setup;
  const auto token = setup.sign(sample_claims());
  CHECK(setup.check("", sample_context()) == verify_status::malformed);
  CHECK(setup.check("v4.public.", sample_context()) == verify_status::malformed);
  CHECK(setup.check("v3.public." + token.substr(10), sample_context()) == verify_status::malformed);
  CHECK(setup.check(token + ".x", sample_context()) == verify_status::malformed);
  CHECK(setup.check(token.substr(0, token.find_last_of('.')), sample_context()) ==
        verify_status::malformed);  // no footer, so no kid
  for (std::size_t cut = 1; cut < token.size(); cut += 7)
    CHECK(!accepted(setup.check(token.substr(0, cut), sample_context())));
}
