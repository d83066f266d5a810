// rfc3339_parse: no crash or UB on any text; an accepted time formats and parses back to itself.
#include "fuzz_common.hpp"
#include "licensor/rfc3339.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = licensor::rfc3339_parse(licensor::fuzz::as_text(data, size));
  if (!parsed) return 0;
  auto again = licensor::rfc3339_parse(licensor::rfc3339_format(*parsed));
  if (!again || *again != *parsed) licensor::fuzz::fail("rfc3339 format/parse round trip");
  return 0;
}
