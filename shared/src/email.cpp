#include "licensor/email.hpp"

#include <algorithm>

namespace licensor {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool local_part_ok(std::string_view local) {
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.') return false;
  if (local.find("..") != std::string_view::npos) return false;
  constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~.";
  return std::all_of(local.begin(), local.end(), [&](char c) {
    return is_alnum(c) || specials.find(c) != std::string_view::npos;
  });
}

bool domain_ok(std::string_view domain) {
  if (domain.empty() || domain.size() > 253 || domain.find('.') == std::string_view::npos)
    return false;
  std::size_t start = 0;
  while (start <= domain.size()) {
    const auto end = std::min(domain.find('.', start), domain.size());
    const auto label = domain.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    if (!std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; }))
      return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

result<std::string> email_normalise(std::string_view raw) {
  while (!raw.empty() && is_space(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && is_space(raw.back())) raw.remove_suffix(1);
  std::string email(raw);
  std::transform(email.begin(), email.end(), email.begin(), to_lower);
  const auto at = email.find('@');
  if (email.size() > 254 || at == std::string::npos || email.find('@', at + 1) != std::string::npos)
    return errc::invalid_email;
  if (!local_part_ok(std::string_view(email).substr(0, at)) ||
      !domain_ok(std::string_view(email).substr(at + 1)))
    return errc::invalid_email;
  return email;
}

std::string_view email_domain(std::string_view normalised_email) {
  const auto at = normalised_email.rfind('@');
  return at == std::string_view::npos ? std::string_view{} : normalised_email.substr(at + 1);
}

bool domain_within(std::string_view domain, std::string_view owner_domain) {
  auto equal_ci = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return to_lower(x) == to_lower(y); });
  };
  if (owner_domain.empty()) return false;
  if (equal_ci(domain, owner_domain)) return true;
  return domain.size() > owner_domain.size() + 1 &&
         domain[domain.size() - owner_domain.size() - 1] == '.' &&
         equal_ci(domain.substr(domain.size() - owner_domain.size()), owner_domain);
}

}  // namespace licensor
