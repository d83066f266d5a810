// Inputs the fuzzers (fuzz/) found, kept as plain regression tests so the normal suite catches
// a relapse without clang or libFuzzer. Each reproducer also stays in fuzz/regressions/<target>/,
// where scripts/fuzz adds it to that target's seed corpus; the cases below replay those files
// through the same invariant the fuzz target checks.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "licensor/rfc3339.hpp"

using namespace licensor;

namespace {

std::vector<std::string> regression_inputs(const char* target) {
  const std::filesystem::path dir =
      std::filesystem::path(LICENSOR_TEST_DATA_DIR) / ".." / ".." / "fuzz" / "regressions" / target;
  std::vector<std::string> inputs;
  if (!std::filesystem::is_directory(dir)) return inputs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream file(entry.path(), std::ios::binary);
    std::ostringstream content;
    content << file.rdbuf();
    inputs.push_back(content.str());
  }
  return inputs;
}

}  // namespace

TEST_CASE("rfc3339_parse refuses offsets that carry a time outside 1970..9999 UTC") {
  // Found by fuzz/rfc3339_fuzz.cpp: the local fields were checked, the UTC result was not, so
  // the parsed time could not be formatted back (year 10000, or before the epoch).
  CHECK(rfc3339_parse("9999-12-31T23:59:59-23:59").error() == errc::malformed);
  CHECK(rfc3339_parse("9999-12-31T23:00:00-01:00").error() == errc::malformed);
  CHECK(rfc3339_parse("1970-01-01T00:00:00+01:00").error() == errc::malformed);
  CHECK(rfc3339_parse("1970-01-01T00:59:59+01:00").error() == errc::malformed);
  // The edges themselves stay valid.
  CHECK(*rfc3339_parse("9999-12-31T23:59:59Z") == 253'402'300'799);
  CHECK(*rfc3339_parse("9999-12-31T23:59:59+01:00") == 253'402'297'199);
  CHECK(*rfc3339_parse("1970-01-01T01:00:00+01:00") == 0);
  CHECK(*rfc3339_parse("1970-01-01T00:00:00-01:00") == 3600);
}

TEST_CASE("fuzz/regressions/rfc3339: every accepted time formats and parses back to itself") {
  const auto inputs = regression_inputs("rfc3339");
  CHECK(!inputs.empty());
  for (const auto& input : inputs) {
    CAPTURE(input);
    auto parsed = rfc3339_parse(input);
    if (!parsed) continue;
    auto again = rfc3339_parse(rfc3339_format(*parsed));
    REQUIRE(again.ok());
    CHECK(*again == *parsed);
  }
}
