#include "licensor/app_version.hpp"

#include <cstdint>

namespace licensor {
namespace {

// Reads the next component of `text` at `at`; an exhausted version yields 0.
bool next_component(std::string_view text, std::size_t& at, std::uint32_t& out) {
  out = 0;
  if (at >= text.size()) return true;
  std::size_t digits = 0;
  while (at < text.size() && text[at] != '.') {
    const char c = text[at++];
    if (c < '0' || c > '9' || ++digits > 9) return false;
    out = out * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (digits == 0) return false;
  if (at < text.size()) {
    ++at;  // skip the dot; a trailing dot leaves an empty component
    if (at == text.size()) return false;
  }
  return true;
}

}  // namespace

result<int> app_version_compare(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return errc::malformed;
  std::size_t at_a = 0, at_b = 0;
  while (at_a < a.size() || at_b < b.size()) {
    std::uint32_t part_a = 0, part_b = 0;
    if (!next_component(a, at_a, part_a) || !next_component(b, at_b, part_b)) return errc::malformed;
    if (part_a != part_b) return part_a < part_b ? -1 : 1;
  }
  return 0;
}

}  // namespace licensor
