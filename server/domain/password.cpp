#include "domain/password.hpp"

#include <sodium.h>

#include <algorithm>
#include <iterator>

namespace licensor::server {
namespace {

// OWASP Password Storage Cheat Sheet: Argon2id, m = 19 MiB, t = 2, p = 1 (libsodium uses one
// lane), its minimum for Argon2id. One hash or verification costs about 40 ms on a 2-core 2026
// VM: slow enough that a stolen hash is dear to guess, cheap enough for a sign-in.
constexpr unsigned long long opslimit = 2;
constexpr std::size_t memlimit = std::size_t{19} * 1024 * 1024;

// Code points of well-formed UTF-8 (RFC 3629, table 3-7 of Unicode), or -1. The first
// continuation byte's range is what rules out overlong forms, surrogates and > U+10FFFF.
long utf8_length(std::string_view text) {
  long count = 0;
  for (std::size_t i = 0; i < text.size(); ++count) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xbf;
    if (lead < 0x80) {
      extra = 0;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
      extra = 1;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      extra = 2;
      if (lead == 0xe0) low = 0xa0;   // else overlong
      if (lead == 0xed) high = 0x9f;  // else a UTF-16 surrogate
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      extra = 3;
      if (lead == 0xf0) low = 0x90;   // else overlong
      if (lead == 0xf4) high = 0x8f;  // else above U+10FFFF
    } else {
      return -1;  // a continuation byte, an overlong 2-byte lead (c0, c1) or f5..ff
    }
    if (extra >= text.size() - i) return -1;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xbf)) return -1;
    }
    i += extra + 1;
  }
  return count;
}

// Common picks that pass the length rule (digit runs, keyboard walks, "password" and digits),
// lower case. A short list costs nothing; a full breach corpus would belong in a data file.
constexpr std::string_view common_passwords[] = {
    "123456789012",   "1234567890123",  "12345678901234", "123456789123",  "123123123123",
    "123412341234",   "password1234",   "password12345",  "password123456", "passwordpassword",
    "password1234!",  "qwertyuiop12",   "qwertyuiop123",  "qwertyuiopasdf", "qwerty123456",
    "1q2w3e4r5t6y",   "1qaz2wsx3edc",   "qazwsxedcrfv",   "zaq12wsxcde3",  "asdfghjkl123",
    "abcdefghijkl",   "abcd12345678",   "abc123456789",   "iloveyou1234",  "letmein12345",
    "welcome12345",   "administrator",  "changeme1234",   "football1234",  "sunshine1234",
    "princess1234",   "monkey123456",
};

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
  // libsodium reads a C string: an embedded NUL would make it check a prefix of what was stored.
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES ||
      stored_hash.find('\0') != std::string_view::npos)
    return false;
  const std::string terminated(stored_hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(std::string_view stored_hash) {
  if (stored_hash.find('\0') != std::string_view::npos) return true;
  const std::string terminated(stored_hash);
  // 1 for other parameters, -1 for a string that is not an Argon2id hash: both mean redo it.
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), opslimit, memlimit) != 0;
}

result<void> password_acceptable(std::string_view password) {
  if (password.size() > password_max_bytes) return errc::weak_password;
  const auto length = utf8_length(password);
  if (length < 0 || static_cast<std::size_t>(length) < password_min_length) return errc::weak_password;
  return {};
}

bool password_too_common(std::string_view password) {
  if (!password.empty() && password.find_first_not_of(password.front()) == std::string_view::npos) return true;
  std::string lower(password);
  std::ranges::transform(lower, lower.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  return std::ranges::find(common_passwords, lower) != std::end(common_passwords);
}

}  // namespace licensor::server
