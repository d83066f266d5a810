#include "api/cookies.hpp"

#include <algorithm>

namespace licensor::server {

std::string_view cookie_value(std::string_view cookies, std::string_view name) {
  while (!cookies.empty()) {
    const auto end = std::min(cookies.find(';'), cookies.size());
    auto pair = cookies.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.starts_with(name) && pair.size() > name.size() && pair[name.size()] == '=') return pair.substr(name.size() + 1);
    cookies.remove_prefix(std::min(end + 1, cookies.size()));
  }
  return {};
}

std::string cookie_set(std::string_view name, std::string_view value, std::int64_t max_age) {
  std::string out(name);
  out += '=';
  out += value;
  out += "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=";
  out += std::to_string(max_age);
  return out;
}

}  // namespace licensor::server
