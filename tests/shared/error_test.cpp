#include <doctest/doctest.h>

#include <set>
#include <string>

#include "licensor/error.hpp"

using licensor::errc;

TEST_CASE("every errc has a distinct snake_case code and a message") {
  std::set<std::string> codes;
  for (const errc e : licensor::errc_all()) {
    const auto code = licensor::errc_code(e);
    CHECK_FALSE(licensor::errc_message(e).empty());
    CHECK(code.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string_view::npos);
    CHECK(codes.insert(std::string(code)).second);
  }
  CHECK(codes.size() == licensor::errc_all().size());
  CHECK(licensor::errc_all().back() == errc::internal);
}

TEST_CASE("errc converts to std::error_code in the licensor category") {
  const std::error_code ec = errc::partner_cap_reached;
  CHECK(ec.category().name() == std::string("licensor"));
  CHECK(ec.message() == std::string(licensor::errc_message(errc::partner_cap_reached)));
  CHECK(licensor::errc_code(errc::partner_cap_reached) == "partner_cap_reached");
}
