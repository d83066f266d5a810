#include "core/credentials.hpp"

#include <sodium.h>

#include <future>

#include "core/refusal.hpp"
#include "domain/secret_hash.hpp"

namespace licensor::server {
namespace {

bool api_key_touch_due(const api_key_record& key, std::int64_t now) {
  return now - key.last_used_at >= api_key_touch_interval_seconds;
}

}  // namespace

credential credential_holder(const store::read_view& view, const std::string& secret_hash, std::int64_t now) {
  const auto hash_equal = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
  };
  view.read_ahead({.api_key_hash = secret_hash, .operator_token = true});  // one round trip on PostgreSQL
  if (const auto operator_hash = must(view.operator_token_hash()); operator_hash && hash_equal(secret_hash, *operator_hash))
    return {caller_with_role(caller_kind::operator_, "", "operator", *role_find(org_kind::operator_, "owner"))};
  const auto key = must(view.api_key_by_hash(secret_hash));
  if (!key) refuse(errc::unauthorized, "unknown credentials");
  if (key->revoked) refuse(errc::unauthorized, "this API key was revoked");
  if (key->expires_at != 0 && key->expires_at <= now) refuse(errc::unauthorized, "this API key has expired");
  const bool operator_key = key->partner_id.empty();
  const auto kind = operator_key ? org_kind::operator_ : org_kind::partner;
  const auto role = role_find(kind, key->role.empty() ? api_key_role_default(kind) : key->role);
  if (!role) refuse(errc::unauthorized, "this API key's role no longer exists");
  const bool due = api_key_touch_due(*key, now);
  if (operator_key) return {caller_with_role(caller_kind::operator_, "", "operator:" + key->id, *role), due};
  return {caller_with_role(caller_kind::partner, key->partner_id, "partner:" + key->partner_id + ":" + key->id, *role), due};
}

std::string_view api_key_role_default(org_kind kind) { return kind == org_kind::operator_ ? "owner" : "global_admin"; }

result<void> api_key_touch(store::write_view& write, const std::string& secret_hash, std::int64_t now) {
  auto key = write.api_key_by_hash(secret_hash);
  if (!key) return key.error();
  if (!*key || !api_key_touch_due(**key, now)) return {};
  (*key)->last_used_at = now;
  return write.api_key_put(secret_hash, **key);
}

result<operator_token_outcome> operator_token_ensure(store::store& store, std::string chosen) {
  operator_token_outcome outcome;
  std::string chosen_hash;
  if (!chosen.empty()) {
    chosen_hash = hash_hex(chosen);
    sodium_memzero(chosen.data(), chosen.size());
  } else {
    outcome.printed = secret_generate("lop_");  // used only if none is stored yet
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
