#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "args.hpp"

using namespace licensor::cli;

namespace {

constexpr std::array spec = {option_spec{"dir", true, true}, option_spec{"json"},
                             option_spec{"out", true}};

std::optional<std::string> parse(std::vector<std::string> args, parsed_args& out) {
  return args_parse(args, spec, out);
}

}  // namespace

TEST_CASE("options, flags and positionals are told apart") {
  parsed_args args;
  REQUIRE_FALSE(parse({"--dir", "d", "--json", "kid", "--out=f", "-"}, args).has_value());
  CHECK(*args.value("dir") == "d");
  CHECK(*args.value("out") == "f");
  CHECK(args.flag("json"));
  CHECK(args.positionals == std::vector<std::string>{"kid", "-"});
  CHECK_FALSE(args.help);
}

TEST_CASE("after -- everything is positional") {
  parsed_args args;
  REQUIRE_FALSE(parse({"--dir", "d", "--", "--json"}, args).has_value());
  CHECK_FALSE(args.flag("json"));
  CHECK(args.positionals == std::vector<std::string>{"--json"});
}

TEST_CASE("bad command lines are refused with a reason") {
  parsed_args args;
  SUBCASE("unknown option") { CHECK(parse({"--dir", "d", "--bogus"}, args) == "unknown option --bogus"); }
  SUBCASE("short option") { CHECK(parse({"--dir", "d", "-x"}, args) == "unknown option -x"); }
  SUBCASE("missing value") { CHECK(parse({"--dir"}, args) == "--dir needs a value"); }
  SUBCASE("repeated") { CHECK(parse({"--dir", "a", "--dir", "b"}, args) == "--dir given twice"); }
  SUBCASE("value to a flag") { CHECK(parse({"--dir", "d", "--json=1"}, args) == "--json takes no value"); }
  SUBCASE("missing required") { CHECK(parse({"--json"}, args) == "missing --dir"); }
}

TEST_CASE("--help anywhere wins over missing required options") {
  parsed_args args;
  CHECK_FALSE(parse({"--json", "-h"}, args).has_value());
  CHECK(args.help);
}
