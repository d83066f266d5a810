#include "domain/activation_key.hpp"

#include <sodium.h>

#include <array>

namespace licensor::server {
namespace {

constexpr std::string_view symbols = "0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U";  // 32 + 5 check-only
constexpr std::size_t body_length = 16;

int symbol_value(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (c == 'I' || c == 'L') c = '1';
  if (c == 'O') c = '0';
  const auto at = symbols.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

char check_character(std::string_view body) {
  unsigned remainder = 0;
  for (const char c : body) remainder = (remainder * 32 + static_cast<unsigned>(symbol_value(c))) % 37;
  return symbols[remainder];
}

}  // namespace

std::string activation_key_generate() {
  std::array<std::uint8_t, body_length> random{};
  randombytes_buf(random.data(), random.size());
  std::string body;
  for (const auto byte : random) body += symbols[byte & 31];
  const char check = check_character(body);
  std::string typed;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (i > 0 && i % 4 == 0) typed += '-';
    typed += body[i];
  }
  typed += '-';
  typed += check;
  return typed;
}

std::optional<std::string> activation_key_canonical(std::string_view typed) {
  std::string body;
  for (const char c : typed) {
    if (c == '-' || c == ' ') continue;
    const int value = symbol_value(c);
    if (value < 0 || body.size() > body_length) return std::nullopt;
    body += symbols[static_cast<std::size_t>(value)];
  }
  if (body.size() != body_length + 1) return std::nullopt;
  const char check = body.back();
  body.pop_back();
  for (const char c : body)
    if (symbol_value(c) >= 32) return std::nullopt;  // check-only symbols cannot appear in the body
  if (check_character(body) != check) return std::nullopt;
  return body;
}

}  // namespace licensor::server
