#include "subscription/vat.hpp"

#include <array>
#include <cctype>

namespace licensor::server::subscription {
namespace {

// Per EU country, the accepted national parts in a tiny pattern language:
// '9' a digit, 'A' a letter, 'X' a letter or digit, '|' separates alternatives.
struct vat_format {
  std::string_view country;
  std::string_view patterns;
};

constexpr std::array vat_formats{
    vat_format{"AT", "U99999999"},
    vat_format{"BE", "9999999999"},
    vat_format{"BG", "999999999|9999999999"},
    vat_format{"CY", "99999999A"},
    vat_format{"CZ", "99999999|999999999|9999999999"},
    vat_format{"DE", "999999999"},
    vat_format{"DK", "99999999"},
    vat_format{"EE", "999999999"},
    vat_format{"EL", "999999999"},
    vat_format{"ES", "X9999999X"},
    vat_format{"FI", "99999999"},
    vat_format{"FR", "XX999999999"},
    vat_format{"HR", "99999999999"},
    vat_format{"HU", "99999999"},
    vat_format{"IE", "9999999A|9999999AA|9A99999A"},
    vat_format{"IT", "99999999999"},
    vat_format{"LT", "999999999|999999999999"},
    vat_format{"LU", "99999999"},
    vat_format{"LV", "99999999999"},
    vat_format{"MT", "99999999"},
    vat_format{"NL", "999999999B99"},
    vat_format{"PL", "9999999999"},
    vat_format{"PT", "999999999"},
    vat_format{"RO", "99|999|9999|99999|999999|9999999|99999999|999999999|9999999999"},
    vat_format{"SE", "999999999901"},
    vat_format{"SI", "99999999"},
    vat_format{"SK", "9999999999"},
};

bool matches(std::string_view pattern, std::string_view text) {
  if (pattern.size() != text.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    switch (pattern[i]) {
      case '9': if (!std::isdigit(c)) return false; break;
      case 'A': if (!std::isupper(c)) return false; break;
      case 'X': if (!std::isdigit(c) && !std::isupper(c)) return false; break;
      default: if (text[i] != pattern[i]) return false;
    }
  }
  return true;
}

bool matches_any(std::string_view patterns, std::string_view text) {
  while (true) {
    const auto bar = patterns.find('|');
    if (matches(patterns.substr(0, bar), text)) return true;
    if (bar == std::string_view::npos) return false;
    patterns.remove_prefix(bar + 1);
  }
}

}  // namespace

result<std::string> vat_number_check(std::string_view text) {
  std::string number;
  for (const char raw : text) {
    const auto c = static_cast<unsigned char>(raw);
    if (raw == ' ' || raw == '.' || raw == '-') continue;
    if (!std::isalnum(c)) return errc::invalid_vat_number;
    number += static_cast<char>(std::toupper(c));
  }
  if (number.size() < 4 || number.size() > 15 || !std::isupper(static_cast<unsigned char>(number[0])) ||
      !std::isupper(static_cast<unsigned char>(number[1])))
    return errc::invalid_vat_number;
  const auto country = std::string_view(number).substr(0, 2);
  if (country == "GR") return errc::invalid_vat_number;  // Greek VAT numbers use the prefix EL
  for (const auto& format : vat_formats)
    if (format.country == country)
      return matches_any(format.patterns, std::string_view(number).substr(2)) ? result<std::string>(number)
                                                                               : result<std::string>(errc::invalid_vat_number);
  return number;
}

}  // namespace licensor::server::subscription
