// email_normalise is idempotent, and domain helpers accept whatever it returns.
#include "fuzz_common.hpp"
#include "licensor/email.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = licensor::fuzz::as_text(data, size);
  auto normal = licensor::email_normalise(text);
  if (!normal) return 0;
  auto again = licensor::email_normalise(*normal);
  if (!again || *again != *normal) licensor::fuzz::fail("email_normalise not idempotent");
  const auto domain = licensor::email_domain(*normal);
  if (!licensor::domain_within(domain, domain)) licensor::fuzz::fail("a domain is not within itself");
  (void)licensor::domain_within(domain, text);
  (void)licensor::domain_within(text, domain);
  return 0;
}
