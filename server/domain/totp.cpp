#include "domain/totp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>
#include <climits>
#include <unordered_set>

namespace licensor::server {
namespace {

constexpr std::string_view base32_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view recovery_alphabet = "23456789abcdefghjkmnpqrstuvwxyz";  // 31 symbols
constexpr std::size_t recovery_code_symbols = 10;
constexpr std::size_t totp_secret_min_bytes = 16;

int base32_value(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  const auto at = base32_alphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

const EVP_MD* hash_md(totp_hash hash) {
  switch (hash) {
    case totp_hash::sha1: return EVP_sha1();
    case totp_hash::sha256: return EVP_sha256();
    case totp_hash::sha512: return EVP_sha512();
  }
  return nullptr;
}

// Floor division, so a negative time would not share step 0 with the first 30 s of 1970.
std::int64_t step_of(std::int64_t unix_seconds) {
  const auto step = unix_seconds / totp_period;
  return unix_seconds % totp_period < 0 ? step - 1 : step;
}

// RFC 4226 section 5.3: HMAC of the big-endian counter, then dynamic truncation to 31 bits.
std::string hotp_code(std::span<const std::uint8_t> secret, std::uint64_t counter, int digits, totp_hash hash) {
  const EVP_MD* md = hash_md(hash);
  if (md == nullptr || secret.size() > static_cast<std::size_t>(INT_MAX)) return {};
  std::array<std::uint8_t, 8> message{};
  for (std::size_t i = message.size(); i-- > 0; counter >>= 8) message[i] = static_cast<std::uint8_t>(counter & 0xff);
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  static constexpr std::uint8_t no_key = 0;  // an empty span's data() may be null, which HMAC() refuses
  const void* key = secret.empty() ? &no_key : secret.data();
  if (HMAC(md, key, static_cast<int>(secret.size()), message.data(), message.size(), mac.data(), &mac_size) ==
          nullptr ||
      mac_size < 20)
    return {};
  const std::size_t offset = mac[mac_size - 1] & 0x0f;
  std::uint32_t value = (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) |
                        (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                        (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | static_cast<std::uint32_t>(mac[offset + 3]);
  sodium_memzero(mac.data(), mac.size());
  std::string code(static_cast<std::size_t>(digits), '0');
  for (auto at = code.rbegin(); at != code.rend(); ++at, value /= 10) *at = static_cast<char>('0' + value % 10);
  return code;
}

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

std::string percent_encode(std::string_view text) {
  constexpr std::string_view hex = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    if (is_unreserved(c)) {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += hex[byte >> 4];
      out += hex[byte & 0x0f];
    }
  }
  return out;
}

std::string recovery_code_generate() {
  std::string code;
  for (std::size_t i = 0; i < recovery_code_symbols; ++i) {
    if (i == recovery_code_symbols / 2) code += '-';
    // randombytes_uniform is unbiased for a bound that is not a power of two.
    code += recovery_alphabet[randombytes_uniform(static_cast<std::uint32_t>(recovery_alphabet.size()))];
  }
  return code;
}

}  // namespace

std::string totp_secret_generate() {
  std::array<std::uint8_t, totp_secret_bytes> secret{};
  randombytes_buf(secret.data(), secret.size());
  auto text = base32_encode(secret);
  sodium_memzero(secret.data(), secret.size());
  return text;
}

std::string base32_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const auto byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += base32_alphabet[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += base32_alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

result<std::vector<std::uint8_t>> base32_decode(std::string_view text) {
  std::vector<std::uint8_t> out;
  out.reserve(text.size() * 5 / 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  std::size_t symbols = 0;
  for (const char c : text) {
    if (c == ' ') continue;
    const int value = base32_value(c);
    if (value < 0) return errc::malformed;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
    bits += 5;
    ++symbols;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((buffer >> bits) & 0xff));
    }
  }
  // Left over: 0 bits after 8k symbols, else 2, 4, 1 or 3 after 2, 4, 5 or 7 more; 1, 3 and 6
  // more symbols (5, 7 and 6 bits left, a whole symbol with no byte) are never produced.
  const auto tail = symbols % 8;
  if (tail == 1 || tail == 3 || tail == 6) return errc::malformed;
  if ((buffer & ((1u << bits) - 1)) != 0) return errc::malformed;
  return out;
}

std::string totp_code(std::span<const std::uint8_t> secret, std::int64_t unix_seconds, int digits, totp_hash hash) {
  if (digits < 6 || digits > 8 || unix_seconds < 0) return {};
  return hotp_code(secret, static_cast<std::uint64_t>(step_of(unix_seconds)), digits, hash);
}

std::optional<std::int64_t> totp_check(std::string_view secret_base32, std::string_view code, std::int64_t now,
                                       std::int64_t last_used_step) {
  if (now < 0 || code.size() != static_cast<std::size_t>(totp_digits)) return std::nullopt;
  for (const char c : code)
    if (c < '0' || c > '9') return std::nullopt;
  auto secret = base32_decode(secret_base32);
  if (!secret) return std::nullopt;
  std::optional<std::int64_t> matched;
  if (secret->size() >= totp_secret_min_bytes) {
    const auto current = step_of(now);
    // All three steps are computed and compared, so the time taken does not say which matched.
    for (auto step = current - 1; step <= current + 1; ++step) {
      if (step < 0) continue;
      const auto expected = hotp_code(*secret, static_cast<std::uint64_t>(step), totp_digits, totp_hash::sha1);
      const bool same = expected.size() == code.size() && sodium_memcmp(expected.data(), code.data(), code.size()) == 0;
      if (same && step > last_used_step && !matched) matched = step;
    }
  }
  sodium_memzero(secret->data(), secret->size());
  return matched;
}

std::string totp_uri(std::string_view issuer, std::string_view account_email, std::string_view secret_base32) {
  const auto issuer_encoded = percent_encode(issuer);
  return "otpauth://totp/" + issuer_encoded + ':' + percent_encode(account_email) + "?secret=" +
         percent_encode(secret_base32) + "&issuer=" + issuer_encoded + "&algorithm=SHA1&digits=" +
         std::to_string(totp_digits) + "&period=" + std::to_string(totp_period);
}

std::vector<std::string> recovery_codes_generate(std::size_t count) {
  std::vector<std::string> codes;
  codes.reserve(count);
  std::unordered_set<std::string> seen;
  // A repeat is a 1 in 2^49 chance per pair, but one code must not stand for two.
  while (codes.size() < count) {
    auto code = recovery_code_generate();
    if (seen.insert(code).second) codes.push_back(std::move(code));
  }
  return codes;
}

std::string recovery_code_normalise(std::string_view typed) {
  std::string out;
  out.reserve(typed.size());
  for (char c : typed) {
    if (c == ' ' || c == '\t' || c == '-') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out += c;
  }
  return out;
}

}  // namespace licensor::server
