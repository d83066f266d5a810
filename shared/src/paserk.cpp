#include "licensor/paserk.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <vector>

#include "licensor/base64url.hpp"

namespace licensor {
namespace {

constexpr std::string_view public_prefix = "k4.public.";
constexpr std::string_view secret_prefix = "k4.secret.";
constexpr std::string_view pid_prefix = "k4.pid.";
constexpr std::string_view sid_prefix = "k4.sid.";
constexpr std::string_view secret_pw_prefix = "k4.secret-pw.";
constexpr std::size_t id_hash_bytes = 33;  // BLAKE2b-264

// PBKW layout after the prefix: salt | memlimit (u64 BE) | opslimit (u32 BE) | para (u32 BE)
// | nonce | encrypted key | tag.
constexpr std::size_t salt_bytes = 16;
constexpr std::size_t nonce_bytes = crypto_stream_xchacha20_NONCEBYTES;
constexpr std::size_t tag_bytes = 32;
constexpr std::size_t params_bytes = 8 + 4 + 4;
constexpr std::size_t wrapped_bytes =
    salt_bytes + params_bytes + nonce_bytes + SecretKey::size + tag_bytes;
// Refuse to spend more than this on an Argon2id parameter set read from a file.
constexpr std::uint64_t max_memlimit_bytes = 4ull * 1024 * 1024 * 1024;
constexpr std::uint32_t max_opslimit = 64;

std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::string id_of(std::string_view id_prefix, std::string_view paserk) {
  std::string message(id_prefix);
  message += paserk;
  std::array<std::uint8_t, id_hash_bytes> hash{};
  crypto_generichash(hash.data(), hash.size(), as_bytes(message).data(), message.size(), nullptr, 0);
  return std::string(id_prefix) + base64url_encode(hash);
}

// Ek = BLAKE2b-256(0xFF || k), Ak = BLAKE2b-256(0xFE || k): separate keys for cipher and MAC.
std::array<std::uint8_t, 32> derive(std::uint8_t domain, const std::array<std::uint8_t, 32>& pre_key) {
  std::array<std::uint8_t, 33> input{};
  input[0] = domain;
  std::copy(pre_key.begin(), pre_key.end(), input.begin() + 1);
  std::array<std::uint8_t, 32> out{};
  crypto_generichash(out.data(), out.size(), input.data(), input.size(), nullptr, 0);
  sodium_memzero(input.data(), input.size());
  return out;
}

void put_be(std::uint8_t* out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * (bytes - 1 - i)));
}

std::uint64_t get_be(const std::uint8_t* in, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | in[i];
  return value;
}

// tag = BLAKE2b-256(key = Ak, "k4.secret-pw." || everything before the tag)
std::array<std::uint8_t, tag_bytes> pbkw_tag(const std::array<std::uint8_t, 32>& auth_key,
                                             std::span<const std::uint8_t> authenticated) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, auth_key.data(), auth_key.size(), tag_bytes);
  crypto_generichash_update(&state, as_bytes(secret_pw_prefix).data(), secret_pw_prefix.size());
  crypto_generichash_update(&state, authenticated.data(), authenticated.size());
  std::array<std::uint8_t, tag_bytes> tag{};
  crypto_generichash_final(&state, tag.data(), tag.size());
  return tag;
}

bool pre_key_derive(std::array<std::uint8_t, 32>& pre_key, std::string_view password,
                    const std::uint8_t* salt, std::uint64_t memlimit, std::uint32_t opslimit) {
  return crypto_pwhash(pre_key.data(), pre_key.size(), password.data(), password.size(), salt,
                       opslimit, memlimit, crypto_pwhash_ALG_ARGON2ID13) == 0;
}

}  // namespace

result<PublicKey> public_key_from_bytes(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != crypto_sign_PUBLICKEYBYTES) return errc::malformed;
  PublicKey key;
  std::copy(bytes.begin(), bytes.end(), key.bytes.begin());
  return key;
}

result<SecretKey> secret_key_from_bytes(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != SecretKey::size) return errc::malformed;
  SecretKey key;
  std::copy(bytes.begin(), bytes.end(), key.mutable_bytes().begin());
  // The second half must be the public key of the seed, or signatures would be forgeable
  // under a mismatched public key.
  std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> derived{};
  std::array<std::uint8_t, SecretKey::size> scratch{};
  crypto_sign_seed_keypair(derived.data(), scratch.data(), bytes.data());
  sodium_memzero(scratch.data(), scratch.size());
  if (sodium_memcmp(derived.data(), bytes.data() + crypto_sign_SEEDBYTES, derived.size()) != 0)
    return errc::malformed;
  return key;
}

std::string paserk_public(const PublicKey& key) {
  return std::string(public_prefix) + base64url_encode(key.bytes);
}

result<PublicKey> paserk_public_parse(std::string_view text) {
  if (!text.starts_with(public_prefix)) return errc::wrong_version;
  auto bytes = base64url_decode(text.substr(public_prefix.size()));
  if (!bytes) return bytes.error();
  return public_key_from_bytes(*bytes);
}

std::string paserk_secret(const SecretKey& key) {
  return std::string(secret_prefix) + base64url_encode(key.bytes());
}

result<SecretKey> paserk_secret_parse(std::string_view text) {
  if (!text.starts_with(secret_prefix)) return errc::wrong_version;
  auto bytes = base64url_decode(text.substr(secret_prefix.size()));
  if (!bytes) return bytes.error();
  auto key = secret_key_from_bytes(*bytes);
  sodium_memzero(bytes->data(), bytes->size());
  return key;
}

KeyId paserk_pid(const PublicKey& key) { return KeyId{id_of(pid_prefix, paserk_public(key))}; }

std::string paserk_sid(const SecretKey& key) {
  auto serialised = paserk_secret(key);
  auto id = id_of(sid_prefix, serialised);
  sodium_memzero(serialised.data(), serialised.size());
  return id;
}

bool paserk_pid_well_formed(std::string_view text) {
  if (!text.starts_with(pid_prefix)) return false;
  auto bytes = base64url_decode(text.substr(pid_prefix.size()));
  return bytes && bytes->size() == id_hash_bytes;
}

result<std::string> paserk_secret_pw_wrap(const SecretKey& key, std::string_view password,
                                  pbkw_limits limits) {
  std::array<std::uint8_t, wrapped_bytes> out{};
  std::uint8_t* salt = out.data();
  std::uint8_t* params = salt + salt_bytes;
  std::uint8_t* nonce = params + params_bytes;
  std::uint8_t* encrypted = nonce + nonce_bytes;
  std::uint8_t* tag = encrypted + SecretKey::size;

  randombytes_buf(salt, salt_bytes);
  put_be(params, limits.memlimit_bytes, 8);
  put_be(params + 8, limits.opslimit, 4);
  put_be(params + 12, 1, 4);  // parallelism: libsodium's Argon2id is single-lane
  randombytes_buf(nonce, nonce_bytes);

  std::array<std::uint8_t, 32> pre_key{};
  if (!pre_key_derive(pre_key, password, salt, limits.memlimit_bytes, limits.opslimit))
    return errc::internal;
  auto encryption_key = derive(0xFF, pre_key);
  auto auth_key = derive(0xFE, pre_key);
  crypto_stream_xchacha20_xor(encrypted, key.bytes().data(), SecretKey::size, nonce,
                              encryption_key.data());
  const auto computed = pbkw_tag(auth_key, {out.data(), wrapped_bytes - tag_bytes});
  std::copy(computed.begin(), computed.end(), tag);

  sodium_memzero(pre_key.data(), pre_key.size());
  sodium_memzero(encryption_key.data(), encryption_key.size());
  sodium_memzero(auth_key.data(), auth_key.size());
  return std::string(secret_pw_prefix) + base64url_encode(out);
}

result<SecretKey> paserk_secret_pw_unwrap(std::string_view text, std::string_view password) {
  if (!text.starts_with(secret_pw_prefix)) return errc::wrong_version;
  auto decoded = base64url_decode(text.substr(secret_pw_prefix.size()));
  if (!decoded || decoded->size() != wrapped_bytes) return errc::malformed;
  const std::uint8_t* salt = decoded->data();
  const std::uint8_t* params = salt + salt_bytes;
  const std::uint8_t* nonce = params + params_bytes;
  const std::uint8_t* encrypted = nonce + nonce_bytes;
  const std::uint8_t* tag = encrypted + SecretKey::size;

  const std::uint64_t memlimit = get_be(params, 8);
  const auto opslimit = static_cast<std::uint32_t>(get_be(params + 8, 4));
  const auto parallelism = get_be(params + 12, 4);
  if (parallelism != 1 || memlimit < crypto_pwhash_MEMLIMIT_MIN || memlimit > max_memlimit_bytes ||
      opslimit < crypto_pwhash_OPSLIMIT_MIN || opslimit > max_opslimit)
    return errc::malformed;

  std::array<std::uint8_t, 32> pre_key{};
  if (!pre_key_derive(pre_key, password, salt, memlimit, opslimit)) return errc::internal;
  auto encryption_key = derive(0xFF, pre_key);
  auto auth_key = derive(0xFE, pre_key);
  sodium_memzero(pre_key.data(), pre_key.size());

  const auto expected = pbkw_tag(auth_key, {decoded->data(), wrapped_bytes - tag_bytes});
  sodium_memzero(auth_key.data(), auth_key.size());
  if (sodium_memcmp(expected.data(), tag, tag_bytes) != 0) {
    sodium_memzero(encryption_key.data(), encryption_key.size());
    return errc::wrong_password;
  }
  std::array<std::uint8_t, SecretKey::size> plain{};
  crypto_stream_xchacha20_xor(plain.data(), encrypted, SecretKey::size, nonce,
                              encryption_key.data());
  sodium_memzero(encryption_key.data(), encryption_key.size());
  auto key = secret_key_from_bytes(plain);
  sodium_memzero(plain.data(), plain.size());
  return key;
}

}  // namespace licensor
