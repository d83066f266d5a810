// Whole HTTP requests through router::handle. The input is split at the first four newlines:
//   METHOD \n TARGET \n AUTHORIZATION \n IDEMPOTENCY-KEY \n BODY (the rest, may hold newlines)
// Missing parts are empty. Placeholders (@o, @k, @p, ... see router_fixture.hpp) name the
// fixture's credentials and ids, so authenticated paths and real records are reached.
#include "router_fixture.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)licensor::fuzz::the_fixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace licensor;
  auto& f = fuzz::the_fixture();
  std::string_view rest = fuzz::as_text(data, size);
  std::string parts[4];
  for (auto& part : parts) {
    const auto cut = rest.find('\n');
    part = std::string(rest.substr(0, cut));
    rest = cut == std::string_view::npos ? std::string_view{} : rest.substr(cut + 1);
  }
  auto request = fuzz::make_request(fuzz::replace_placeholders(parts[0], f), fuzz::replace_placeholders(parts[1], f),
                                    fuzz::replace_placeholders(parts[2], f), fuzz::replace_placeholders(std::string(rest), f));
  request.idempotency_key = parts[3];
  (void)fuzz::send(f, request);
  return 0;
}
