#include "api/letters.hpp"

#include "api/letter_templates.hpp"
#include "core/refusal.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {

letter letter_render(std::string_view text, const std::map<std::string, std::string, std::less<>>& values) {
  std::string out;
  out.reserve(text.size() + 512);
  for (std::size_t at = 0; at < text.size();) {
    const auto open = text.find("{{", at);
    if (open == std::string_view::npos) {
      out.append(text.substr(at));
      break;
    }
    const auto close = text.find("}}", open + 2);
    if (close == std::string_view::npos) refuse(errc::internal, "a letter template has an unclosed placeholder");
    out.append(text.substr(at, open - at));
    const auto value = values.find(text.substr(open + 2, close - open - 2));
    if (value == values.end()) refuse(errc::internal, "a letter template names a value it was not given");
    out.append(value->second);
    at = close + 2;
  }
  constexpr std::string_view subject_prefix = "Subject: ";
  const auto subject_end = out.find("\n\n");
  if (!std::string_view(out).starts_with(subject_prefix) || subject_end == std::string::npos)
    refuse(errc::internal, "a letter template has no subject line");
  return {out.substr(subject_prefix.size(), subject_end - subject_prefix.size()), out.substr(subject_end + 2)};
}

letter delivery_letter(const license_record& license, const product_record& product) {
  return letter_render(delivery_letter_template(),
                       {{"product", product.name},
                        {"tier", license.tier},
                        {"seats", std::to_string(license.seats) + (license.seats == 1 ? " seat" : " seats")},
                        {"validity", license.expires_at == 0 ? std::string("does not expire")
                                                             : "is valid until " + rfc3339_format(license.expires_at)},
                        {"activation_key", license.activation_key},
                        {"email", license.email},
                        {"token", license.token}});
}

}  // namespace licensor::server
