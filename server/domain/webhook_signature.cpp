#include "domain/webhook_signature.hpp"

#include <sodium.h>

namespace licensor::server {

namespace {

constexpr std::string_view secret_prefix = "whsec_";
constexpr std::size_t generated_key_bytes = 32;
constexpr std::size_t min_key_bytes = 24;
constexpr std::size_t max_key_bytes = 64;

std::string base64_of(const unsigned char* bytes, std::size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

}  // namespace

std::string webhook_secret_generate() {
  unsigned char key[generated_key_bytes];
  randombytes_buf(key, sizeof key);
  auto secret = std::string(secret_prefix) + base64_of(key, sizeof key);
  sodium_memzero(key, sizeof key);
  return secret;
}

std::optional<webhook_key> webhook_secret_decode(std::string_view secret) {
  if (secret.starts_with(secret_prefix)) secret.remove_prefix(secret_prefix.size());
  webhook_key key(max_key_bytes + 1);
  std::size_t size = 0;
  const char* end = nullptr;
  if (sodium_base642bin(key.data(), key.size(), secret.data(), secret.size(), nullptr, &size, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != secret.data() + secret.size() || size < min_key_bytes || size > max_key_bytes)
    return std::nullopt;
  key.resize(size);
  return key;
}

std::string webhook_signature(std::span<const webhook_key> keys, std::string_view id, std::int64_t timestamp,
                              std::string_view body) {
  const auto stamp = std::to_string(timestamp);
  std::string header;
  for (const auto& key : keys) {
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, key.data(), key.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(id.data()), id.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>("."), 1);
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(stamp.data()), stamp.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>("."), 1);
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()), body.size());
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_final(&state, mac);
    if (!header.empty()) header += ' ';
    header += "v1," + base64_of(mac, sizeof mac);
  }
  return header;
}

}  // namespace licensor::server
