// activation_key_canonical: whatever it accepts maps to the 16-symbol lookup form (Crockford
// base32, upper case, no separators, check character dropped), the same for any spelling.
#include <cctype>

#include "domain/activation_key.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using licensor::fuzz::fail;
  const auto typed = licensor::fuzz::as_text(data, size);
  auto canonical = licensor::server::activation_key_canonical(typed);
  if (!canonical) return 0;
  if (canonical->size() != 16) fail("canonical key is not 16 symbols");
  for (const char c : *canonical)
    if (std::string_view("0123456789ABCDEFGHJKMNPQRSTVWXYZ").find(c) == std::string_view::npos)
      fail("canonical key has a symbol outside the base32 alphabet");
  std::string lower(typed);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto again = licensor::server::activation_key_canonical(lower);
  if (!again || *again != *canonical) fail("case changes the canonical key");
  return 0;
}
