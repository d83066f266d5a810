// The server's JSON reader (server/domain/json_read.hpp): what it accepts and the values it
// builds are nlohmann::json::parse's, on documents of every shape, on the edges where simdjson
// and nlohmann differ, and on text that is not JSON.
#include <doctest/doctest.h>

#include <string>

#include "domain/json_read.hpp"

using namespace licensor::server;

namespace {

// Same value, same number types, same text when written again.
void check_same_as_nlohmann(const std::string& text) {
  INFO(text.substr(0, 120));
  const auto ours = json_read(text);
  const auto theirs = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  REQUIRE(ours.is_discarded() == theirs.is_discarded());
  if (theirs.is_discarded()) return;
  CHECK(ours == theirs);
  CHECK(ours.dump() == theirs.dump());
  CHECK(ours.type() == theirs.type());
}

}  // namespace

TEST_CASE("documents read as nlohmann reads them, number types included") {
  for (const std::string text : {
           R"({"id":"lic_1","seats":5,"balance":-3,"rate":0.25,"ok":true,"no":false,"none":null})",
           R"({"nested":{"list":[1,-1,2.5,"x",[],{}],"empty":{}},"unicode":"caf\u00e9 \ud83d\ude00","escaped":"a\"b\\c\n"})",
           R"([18446744073709551615, 9223372036854775807, -9223372036854775808, 1e300, -0.0])",
           R"("just a string")", "42", "-7", "true", "null", "  {\"padded\" : [ 1 , 2 ] }  ",
       }) {
    check_same_as_nlohmann(text);
  }
  // Non-negative integers are unsigned, as nlohmann's parser types them (body readers ask).
  CHECK(json_read("5").is_number_unsigned());
  CHECK(json_read("-5").is_number_integer());
  CHECK_FALSE(json_read("-5").is_number_unsigned());
}

TEST_CASE("a key given twice keeps its last value") {
  check_same_as_nlohmann(R"({"a":1,"a":2})");
  CHECK(json_read(R"({"a":1,"a":2})")["a"] == 2);
}

TEST_CASE("what simdjson refuses and nlohmann accepts is accepted") {
  // An integer beyond 64 bits becomes a double; nesting deeper than simdjson's 1,024 is kept.
  check_same_as_nlohmann("[123456789012345678901234567890]");
  // Walked down, not compared or dumped: those recurse, and overflow the stack at this depth
  // with AddressSanitizer's larger frames.
  constexpr int depth = 1500;
  const auto deep = json_read(std::string(depth, '[') + std::string(depth, ']'));
  REQUIRE_FALSE(deep.is_discarded());
  const nlohmann::json* level = &deep;
  for (int i = 1; i < depth; ++i) {
    REQUIRE(level->is_array());
    REQUIRE(level->size() == 1);
    level = &level->front();
  }
  CHECK(*level == nlohmann::json::array());
}

TEST_CASE("text that is not one JSON document is a discarded value, never an exception") {
  for (const std::string text : {"", " ", "{", "}", "{\"a\":}", "[1,]", "{\"a\":1} {\"b\":2}", "nul", "'single'",
                                 "{\"a\":\"\x01\"}", "\"\xff\xfe\"", "01", "1.", "NaN", "{\"a\" 1}"}) {
    check_same_as_nlohmann(text);
    CHECK(json_read(text).is_discarded());
  }
}

TEST_CASE("a large text reads the same as a small one") {
  std::string text = "[";
  for (int i = 0; i < 20000; ++i) text += (i ? "," : "") + std::string("{\"n\":") + std::to_string(i) + ",\"s\":\"abcdefgh\"}";
  text += "]";
  REQUIRE(text.size() > 64 * 1024);
  check_same_as_nlohmann(text);
  check_same_as_nlohmann(R"({"after":"a small one again"})");
}
