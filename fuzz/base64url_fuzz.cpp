// base64url_decode is strict: whatever it accepts must re-encode to exactly the same text.
#include "fuzz_common.hpp"
#include "licensor/base64url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = licensor::fuzz::as_text(data, size);
  auto decoded = licensor::base64url_decode(text);
  if (decoded && licensor::base64url_encode(*decoded) != text) licensor::fuzz::fail("base64url not canonical");
  std::vector<std::uint8_t> raw(data, data + size);
  auto round = licensor::base64url_decode(licensor::base64url_encode(raw));
  if (!round || *round != raw) licensor::fuzz::fail("base64url round trip");
  return 0;
}
