#include <doctest/doctest.h>

#include "subscription/vat.hpp"

using licensor::errc;
using licensor::server::subscription::vat_number_check;

TEST_CASE("EU VAT numbers are checked against their country's format and normalised") {
  CHECK(*vat_number_check("DE123456789") == "DE123456789");
  CHECK(*vat_number_check("de 123 456 789") == "DE123456789");
  CHECK(*vat_number_check("FR 12 345678901") == "FR12345678901");
  CHECK(*vat_number_check("NL123456789B01") == "NL123456789B01");
  CHECK(*vat_number_check("ATU12345678") == "ATU12345678");
  CHECK(*vat_number_check("ESX1234567X") == "ESX1234567X");
  CHECK(*vat_number_check("SE123456789001") == "SE123456789001");
  CHECK(*vat_number_check("EL123456789") == "EL123456789");
  CHECK(*vat_number_check("IE1234567WA") == "IE1234567WA");
}

TEST_CASE("malformed VAT numbers are refused") {
  for (const char* bad : {"", "DE", "DE12345678", "DE1234567890", "AT12345678", "NL123456789X01", "GR123456789",
                          "12345678901", "DE12345678?", "SE123456789002", "IT1234567890"}) {
    CAPTURE(bad);
    const auto checked = vat_number_check(bad);
    REQUIRE_FALSE(checked);
    CHECK(checked.error() == errc::invalid_vat_number);
  }
}

TEST_CASE("numbers outside the EU are kept, normalised, without a format check") {
  CHECK(*vat_number_check("GB 123 4567 89") == "GB123456789");
  CHECK(*vat_number_check("CHE-123.456.789") == "CHE123456789");
}
