#include "core/credentials.hpp"

#include <sodium.h>

#include <array>
#include <future>

#include "core/refusal.hpp"
#include "domain/secret_hash.hpp"
#include "licensor/base64url.hpp"

namespace licensor::server {

caller credential_holder(const store::read_view& view, const std::string& secret_hash) {
  const auto hash_equal = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
  };
  if (const auto operator_hash = must(view.operator_token_hash()); operator_hash && hash_equal(secret_hash, *operator_hash))
    return {caller_kind::operator_, "", "operator"};
  const auto key = must(view.api_key_by_hash(secret_hash));
  if (!key) refuse(errc::unauthorized, "unknown credentials");
  if (key->revoked) refuse(errc::unauthorized, "this API key was revoked");
  return {caller_kind::partner, key->partner_id, "partner:" + key->partner_id + ":" + key->id};
}

result<operator_token_outcome> operator_token_ensure(store::store& store, std::string chosen) {
  operator_token_outcome outcome;
  std::string chosen_hash;
  if (!chosen.empty()) {
    chosen_hash = hash_hex(chosen);
    sodium_memzero(chosen.data(), chosen.size());
  } else {
    std::array<std::uint8_t, 32> secret{};
    randombytes_buf(secret.data(), secret.size());
    outcome.printed = "lop_" + base64url_encode(secret);  // used only if none is stored yet
    sodium_memzero(secret.data(), secret.size());
  }
  auto generated_hash = outcome.printed.empty() ? std::string() : hash_hex(outcome.printed);
  std::promise<result<void>> stored;
  bool printed_kept = false;
  store.submit([&](store::write_view& write) -> result<void> {
    auto existing = write.operator_token_hash();
    if (!existing) return existing.error();
    printed_kept = false;
    if (!chosen_hash.empty()) {
      outcome.replaced = *existing && **existing != chosen_hash;
      return write.operator_token_hash_set(chosen_hash);
    }
    if (*existing) return {};
    printed_kept = true;
    return write.operator_token_hash_set(generated_hash);
  }, [&stored](result<void> committed) { stored.set_value(committed); });
  if (auto committed = stored.get_future().get(); !committed) return committed.error();
  if (!printed_kept) outcome.printed.clear();
  return outcome;
}

}  // namespace licensor::server
