#include "domain/search_text.hpp"

#include <algorithm>

namespace licensor::server {

std::string text_folded(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::vector<std::string> customer_search_texts(const customer_record& customer) {
  std::vector<std::string> out;
  for (const auto* text : {&customer.email, &customer.name, &customer.vat_number}) {
    auto folded = text_folded(*text);
    if (!folded.empty() && std::find(out.begin(), out.end(), folded) == out.end()) out.push_back(std::move(folded));
  }
  return out;
}

bool customer_matches(const customer_record& customer, std::string_view folded_prefix) {
  const auto texts = customer_search_texts(customer);
  return std::any_of(texts.begin(), texts.end(), [&](const std::string& text) { return text.starts_with(folded_prefix); });
}

}  // namespace licensor::server
