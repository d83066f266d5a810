// app_version_compare on two versions split at the first newline: a total order where both parse.
#include "fuzz_common.hpp"
#include "licensor/app_version.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = licensor::fuzz::as_text(data, size);
  const auto cut = text.find('\n');
  const auto a = text.substr(0, cut);
  const auto b = cut == std::string_view::npos ? std::string_view{} : text.substr(cut + 1);
  auto ab = licensor::app_version_compare(a, b);
  auto ba = licensor::app_version_compare(b, a);
  if (ab.ok() != ba.ok()) licensor::fuzz::fail("compare accepts (a,b) but not (b,a)");
  const auto sign = [](int v) { return (v > 0) - (v < 0); };
  if (ab && sign(*ab) != -sign(*ba)) licensor::fuzz::fail("compare not antisymmetric");
  if (auto aa = licensor::app_version_compare(a, a); aa && *aa != 0) licensor::fuzz::fail("a != a");
  return 0;
}
