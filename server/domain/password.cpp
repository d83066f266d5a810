#include "domain/password.hpp"

#include <sodium.h>

namespace licensor::server {
namespace {

// OWASP Password Storage Cheat Sheet: Argon2id, m = 19 MiB, t = 2, p = 1 (libsodium uses one lane).
constexpr unsigned long long opslimit = 2;
constexpr std::size_t memlimit = std::size_t{19} * 1024 * 1024;

// Code points of well-formed UTF-8 (by lead and continuation bytes), or -1.
long utf8_length(std::string_view text) {
  long count = 0;
  for (std::size_t i = 0; i < text.size(); ++count) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    if (lead >= 0x80) {
      if (lead >= 0xc2 && lead <= 0xdf) extra = 1;
      else if ((lead & 0xf0) == 0xe0) extra = 2;
      else if (lead >= 0xf0 && lead <= 0xf4) extra = 3;
      else return -1;
    }
    if (i + extra >= text.size()) return -1;
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return -1;
    }
    i += extra + 1;
  }
  return count;
}

}  // namespace

result<std::string> password_hash(std::string_view password) {
  std::string out(crypto_pwhash_STRBYTES, '\0');
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), opslimit, memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return errc::internal;
  out.resize(out.find('\0'));
  return out;
}

bool password_verify(std::string_view stored_hash, std::string_view password) {
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string terminated(stored_hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(std::string_view stored_hash) {
  const std::string terminated(stored_hash);
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), opslimit, memlimit) != 0;
}

result<void> password_acceptable(std::string_view password) {
  if (password.size() > password_max_bytes) return errc::weak_password;
  const auto length = utf8_length(password);
  if (length < 0 || static_cast<std::size_t>(length) < password_min_length) return errc::weak_password;
  return {};
}

}  // namespace licensor::server
