// The server's JSON writer (server/domain/json_write.hpp) writes what nlohmann's dump writes,
// byte for byte, for every kind of value, and handles bytes that are not UTF-8 as dump's
// strict and replacing handlers do.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>

#include "domain/json_write.hpp"

using namespace licensor::server;

namespace {

void check_same_as_dump(const nlohmann::json& value) {
  const auto expected = value.dump();
  INFO(expected.substr(0, 160));
  CHECK(json_write(value) == expected);
  CHECK(json_write(value, invalid_utf8::replace) == value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// A random document of every kind of value, strings drawn from bytes that need escaping, ASCII
// and valid multi-byte characters.
nlohmann::json random_value(std::mt19937& random, int depth) {
  static const std::string pieces[] = {"a", "Z", " ", "\"", "\\", "/", "\x01", "\x1f", "\x7f", "\n", "\t",
                                       "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xed\x9f\xbf", "\xf4\x8f\xbf\xbf"};
  const auto string = [&] {
    std::string text;
    for (auto n = random() % 12; n > 0; --n) text += pieces[random() % std::size(pieces)];
    return text;
  };
  switch (random() % (depth > 3 ? 6 : 8)) {
    case 0: return nullptr;
    case 1: return random() % 2 == 0;
    case 2: return std::uniform_int_distribution<std::int64_t>(INT64_MIN, INT64_MAX)(random);
    case 3: return std::uniform_int_distribution<std::uint64_t>(0, UINT64_MAX)(random);
    case 4: return static_cast<double>(random()) / 7.0;
    case 5: return string();
    case 6: {
      auto array = nlohmann::json::array();
      for (auto n = random() % 5; n > 0; --n) array.push_back(random_value(random, depth + 1));
      return array;
    }
    default: {
      auto object = nlohmann::json::object();
      for (auto n = random() % 5; n > 0; --n) object[string()] = random_value(random, depth + 1);
      return object;
    }
  }
}

}  // namespace

TEST_CASE("every kind of value is written as dump() writes it") {
  for (const auto& value : {
           nlohmann::json(nullptr), nlohmann::json(true), nlohmann::json(false), nlohmann::json(0),
           nlohmann::json(INT64_MIN), nlohmann::json(INT64_MAX), nlohmann::json(UINT64_MAX), nlohmann::json(-0.0),
           nlohmann::json(1e300), nlohmann::json(0.1), nlohmann::json(""), nlohmann::json::object(),
           nlohmann::json::array(), nlohmann::json::parse(R"({"b":[1,{"c":null}],"a":"x","":{}})"),
           nlohmann::json::binary({1, 2, 3}), nlohmann::json(nlohmann::json::value_t::discarded),
       }) {
    check_same_as_dump(value);
  }
  // Every byte below 0x80 alone, and runs around the ones that are escaped.
  for (int c = 0; c < 0x80; ++c) {
    check_same_as_dump(std::string(1, static_cast<char>(c)));
    check_same_as_dump("ab" + std::string(1, static_cast<char>(c)) + "cd");
  }
}

TEST_CASE("random documents are written as dump() writes them") {
  std::mt19937 random(20261206);
  for (int i = 0; i < 2000; ++i) check_same_as_dump(random_value(random, 0));
}

TEST_CASE("a string that is not UTF-8 is refused as dump() refuses it, or replaced as dump() replaces it") {
  for (const std::string bad : {"\xff", "a\x80", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                "\xc3", "ok \xe2\x82", "\xf0\x9f\x98"}) {
    const auto value = nlohmann::json{{"k", "before " + bad + " after"}};
    CHECK_THROWS_AS((void)value.dump(), nlohmann::json::type_error);
    CHECK_THROWS_AS((void)json_write(value), nlohmann::json::type_error);
    CHECK(json_write(value, invalid_utf8::replace) == value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  std::string out = "[";
  json_write_string(out, "\xc3\xa9");
  CHECK(out == "[\"\xc3\xa9\"");
}
