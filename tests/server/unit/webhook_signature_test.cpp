// Standard Webhooks signatures: the specification's published test vector, secrets that
// round-trip, and two signatures while a rotated secret overlaps the new one.
#include <doctest/doctest.h>

#include "domain/webhook_signature.hpp"

using namespace licensor::server;

namespace {
// The Standard Webhooks specification's test vector.
constexpr std::string_view vector_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view vector_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t vector_timestamp = 1614265330;
constexpr std::string_view vector_body = R"({"test": 2432232314})";
constexpr std::string_view vector_signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
}  // namespace

TEST_CASE("the signature of the Standard Webhooks test vector") {
  const auto key = webhook_secret_decode(vector_secret);
  REQUIRE(key);
  const std::vector<webhook_key> keys{*key};
  CHECK(webhook_signature(keys, vector_id, vector_timestamp, vector_body) == vector_signature);
  // Any change to the id, the time or the body changes it.
  CHECK(webhook_signature(keys, "msg_other", vector_timestamp, vector_body) != vector_signature);
  CHECK(webhook_signature(keys, vector_id, vector_timestamp + 1, vector_body) != vector_signature);
  CHECK(webhook_signature(keys, vector_id, vector_timestamp, R"({"test": 2432232315})") != vector_signature);
}

TEST_CASE("a generated secret decodes to 32 bytes; bad secrets do not decode") {
  const auto secret = webhook_secret_generate();
  CHECK(secret.starts_with("whsec_"));
  REQUIRE(webhook_secret_decode(secret));
  CHECK(webhook_secret_decode(secret)->size() == 32);
  CHECK(webhook_secret_generate() != secret);
  CHECK(webhook_secret_decode(vector_secret.substr(6)));  // without its prefix
  CHECK_FALSE(webhook_secret_decode("whsec_not base64!"));
  CHECK_FALSE(webhook_secret_decode("whsec_c2hvcnQ="));  // 5 bytes: too short to be a key
  CHECK_FALSE(webhook_secret_decode(""));
}

TEST_CASE("while a rotated secret overlaps, a delivery carries both signatures, old first") {
  const auto old_key = *webhook_secret_decode(vector_secret);
  const auto new_key = *webhook_secret_decode(webhook_secret_generate());
  const std::vector<webhook_key> keys{old_key, new_key};
  const auto header = webhook_signature(keys, vector_id, vector_timestamp, vector_body);
  const auto space = header.find(' ');
  REQUIRE(space != std::string::npos);
  CHECK(header.substr(0, space) == vector_signature);
  const std::vector<webhook_key> only_new{new_key};
  CHECK(header.substr(space + 1) == webhook_signature(only_new, vector_id, vector_timestamp, vector_body));
}
