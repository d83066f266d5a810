// claims_parse on any JSON text; accepted claims serialise and parse back to the same value.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto claims = licensor::claims_parse(licensor::fuzz::as_text(data, size));
  if (!claims) return 0;
  auto again = licensor::claims_parse(licensor::claims_to_json(*claims));
  if (!again) licensor::fuzz::fail("serialised claims do not parse");
  if (!(*again == *claims)) licensor::fuzz::fail("claims round trip changed a value");
  return 0;
}
