// CSV as exports write it and imports read it (server/api/csv.hpp): quoting, the guard against
// spreadsheet formulas, and records that read back as they were written.
#include <doctest/doctest.h>

#include "api/csv.hpp"

using namespace licensor::server;

TEST_CASE("a written record reads back, quoted only where it must be") {
  CHECK(csv_record({"a", "b c", ""}) == "a,b c,\r\n");
  CHECK(csv_record({"Plain, Ltd", "say \"hi\"", "two\nlines"}) == "\"Plain, Ltd\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
  const std::vector<std::string> fields{"x,y", "\"", "line\r\nbreak", "", "plain"};
  const auto read = csv_parse(csv_record(fields));
  REQUIRE(read);
  REQUIRE(read->size() == 1);
  CHECK(read->front() == fields);
}

TEST_CASE("a cell a spreadsheet would run as a formula is kept as text") {
  for (const std::string lead : {"=", "+", "-", "@", "\t", "\r"}) {
    INFO(lead);
    const auto written = csv_record({lead + "1+1"});
    const auto read = csv_parse(written);
    REQUIRE(read);
    CHECK(read->front().front() == "'" + lead + "1+1");
  }
  CHECK(csv_record({"a=1", "1-2", "x@y"}) == "a=1,1-2,x@y\r\n");  // only the first character matters
  // A refund in minor units is a number; anything more after a minus is not.
  CHECK(csv_record({"-1200", "-", "-12.5", "-1+1", "-3-"}) == "-1200,'-,'-12.5,'-1+1,'-3-\r\n");
}
