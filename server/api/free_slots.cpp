#include "api/free_slots.hpp"

#include <charconv>

#include "api/api_types.hpp"
#include "api/counters.hpp"
#include "api/license_signing.hpp"
#include "api/service.hpp"
#include "store/ordered_key.hpp"
#include "store/schema.hpp"

namespace licensor::server {
namespace {

constexpr char hold_marker = '~';

std::string slot_key(const std::string& customer_id, const std::string& product) { return customer_id + "/" + product; }

// Until when the tokens of `license` may be valid. A free license signed before tokens
// expired (token_expires_at 0) has a perpetual token out there: it is held for one lifetime
// from now, the longest a renewed token could have run.
std::int64_t tokens_valid_until(const license_record& license, std::int64_t now, std::int64_t leeway) {
  return (license.token_expires_at != 0 ? license.token_expires_at : now + free_token_lifetime_seconds) + leeway;
}

// "~<until>/<license id>" -> until; nullopt for a live slot (a license id).
std::optional<std::int64_t> hold_until(std::string_view value) {
  if (value.empty() || value.front() != hold_marker) return std::nullopt;
  std::int64_t until = 0;
  std::from_chars(value.data() + 1, value.data() + value.size(), until);
  return until;
}

std::string partner_hold_prefix(const std::string& partner_id) { return partner_id + "/"; }

// Visits the partner's cap holds that expired by `now`, oldest first.
template <class Visit>
void expired_cap_holds(const store::txn& t, const std::string& partner_id, std::int64_t now, Visit visit) {
  const auto prefix = partner_hold_prefix(partner_id);
  store_check(t.scan(store::db::free_cap_holds, prefix, "", SIZE_MAX, [&](std::string_view key, std::string_view) {
    const auto until = store::hex16_parse(key.substr(prefix.size(), 16));
    if (!until || static_cast<std::int64_t>(*until) >= now) return false;
    visit(key);
    return true;
  }));
}

}  // namespace

bool free_slot_held(const store::txn& t, const std::string& customer_id, const std::string& product, std::int64_t now) {
  auto value = t.get(store::db::free_licenses, slot_key(customer_id, product));
  if (!value) api_fail(value.error());
  if (!*value) return false;
  const auto until = hold_until(**value);
  return !until || *until >= now;
}

bool free_slots_held_any(const store::txn& t, const std::string& customer_id, std::int64_t now) {
  bool held = false;
  store_check(t.scan(store::db::free_licenses, customer_id + "/", "", SIZE_MAX, [&](std::string_view, std::string_view value) {
    const auto until = hold_until(value);
    held = !until || *until >= now;
    return !held;
  }));
  return held;
}

void free_slots_expired_remove(store::txn& write, const std::string& customer_id, std::int64_t now) {
  std::vector<std::string> expired;
  store_check(write.scan(store::db::free_licenses, customer_id + "/", "", SIZE_MAX, [&](std::string_view key, std::string_view value) {
    if (const auto until = hold_until(value); until && *until < now) expired.emplace_back(key);
    return true;
  }));
  for (const auto& key : expired) store_check(write.erase(store::db::free_licenses, key));
}

void free_slot_take(store::txn& write, const license_record& license) {
  if (license.kind != "free" || license.customer_id.empty()) return;
  store_check(write.put(store::db::free_licenses, slot_key(license.customer_id, license.product), license.id));
}

void free_slot_leave(store::txn& write, const license_record& license, std::int64_t now, std::int64_t leeway) {
  if (license.kind != "free" || license.customer_id.empty()) return;
  const auto key = slot_key(license.customer_id, license.product);
  auto holder = write.get(store::db::free_licenses, key);
  if (!holder) api_fail(holder.error());
  if (!*holder || **holder != license.id) return;  // only the slot this license holds
  const auto until = tokens_valid_until(license, now, leeway);
  if (until < now) {
    store_check(write.erase(store::db::free_licenses, key));
    return;
  }
  store_check(write.put(store::db::free_licenses, key, hold_marker + std::to_string(until) + "/" + license.id));
}

std::uint32_t free_cap_used_release(store::txn& write, const std::string& partner_id, std::int64_t now) {
  std::vector<std::string> expired;
  expired_cap_holds(write, partner_id, now, [&](std::string_view key) { expired.emplace_back(key); });
  for (const auto& key : expired) store_check(write.erase(store::db::free_cap_holds, key));
  if (!expired.empty()) counter_add(write, partner_free_counter(partner_id), -static_cast<std::int64_t>(expired.size()));
  return counter_get(write, partner_free_counter(partner_id));
}

std::uint32_t free_cap_used(const store::txn& t, const std::string& partner_id, std::int64_t now) {
  std::uint32_t expired = 0;
  expired_cap_holds(t, partner_id, now, [&](std::string_view) { ++expired; });
  return counter_get(t, partner_free_counter(partner_id)) - expired;
}

void free_cap_take(store::txn& write, const license_record& license) {
  counter_add(write, partner_free_counter(license.partner_id), 1);
}

void free_cap_leave(store::txn& write, const license_record& license, std::int64_t now, std::int64_t leeway) {
  const auto until = tokens_valid_until(license, now, leeway);
  if (until < now) return counter_add(write, partner_free_counter(license.partner_id), -1);
  store_check(write.put(store::db::free_cap_holds,
                        partner_hold_prefix(license.partner_id) + store::hex16_time(until) + "/" + license.id, ""));
}

}  // namespace licensor::server
