#include "core/free_slots.hpp"

#include "core/license_tokens.hpp"
#include "core/refusal.hpp"

namespace licensor::server {
namespace {

// Until when the tokens of `license` may be valid. A free license signed before tokens
// expired (token_expires_at 0) has a perpetual token out there: it is held for one lifetime
// from now, the longest a renewed token could have run.
std::int64_t tokens_valid_until(const license_record& license, std::int64_t now, std::int64_t leeway) {
  return (license.token_expires_at != 0 ? license.token_expires_at : now + free_token_lifetime_seconds) + leeway;
}

bool slot_held(const store::free_slot& slot, std::int64_t now) { return slot.held_until == 0 || slot.held_until >= now; }

// Every cap hold of the partner that expired by `now` (a hold "until" T is held at T).
std::vector<store::free_cap_hold> expired_cap_holds(const store::read_view& t, const std::string& partner_id,
                                                    std::int64_t now) {
  return must(t.free_cap_holds_before(partner_id, now, SIZE_MAX));
}

}  // namespace

bool free_slot_held(const store::read_view& t, const std::string& customer_id, const std::string& product,
                    std::int64_t now) {
  const auto slot = must(t.free_slot_get(customer_id, product));
  return slot && slot_held(*slot, now);
}

bool free_slots_held_any(const store::read_view& t, const std::string& customer_id, std::int64_t now) {
  for (const auto& slot : must(t.free_slots_of(customer_id)))
    if (slot_held(slot, now)) return true;
  return false;
}

void free_slots_expired_remove(store::write_view& write, const std::string& customer_id, std::int64_t now) {
  for (const auto& slot : must(write.free_slots_of(customer_id)))
    if (!slot_held(slot, now)) must(write.free_slot_erase(customer_id, slot.product));
}

void free_slot_take(store::write_view& write, const license_record& license) {
  if (license.kind != license_kind::free || license.customer_id.empty()) return;
  must(write.free_slot_put(license.customer_id, {license.product, license.id, 0}));
}

void free_slot_leave(store::write_view& write, const license_record& license, std::int64_t now, std::int64_t leeway) {
  if (license.kind != license_kind::free || license.customer_id.empty()) return;
  const auto slot = must(write.free_slot_get(license.customer_id, license.product));
  if (!slot || slot->held_until != 0 || slot->license_id != license.id) return;  // only the slot this license holds
  const auto until = tokens_valid_until(license, now, leeway);
  if (until < now) return must(write.free_slot_erase(license.customer_id, license.product));
  must(write.free_slot_put(license.customer_id, {license.product, license.id, until}));
}

std::uint32_t free_rules_check(store::write_view& write, const partner_record& partner, const customer_record& customer,
                               const std::string& product, const level_caps& caps, std::int64_t now) {
  const free_license_facts facts{partner, customer.email, free_slot_held(write, customer.id, product, now),
                                 free_cap_used_release(write, partner.id, now)};
  if (auto allowed = free_license_allowed(facts, caps); !allowed) {
    if (allowed.error() != errc::partner_cap_reached) refuse(allowed.error());
    // Said with its numbers: the partner sees which cap, and that it is spent.
    refuse(errc::partner_cap_reached, "the " + partner.level + " level allows " + std::to_string(caps.cap_for(partner.level).value_or(0)) +
                                          " free licenses, and " + std::to_string(facts.partner_free_used) + " are issued");
  }
  return facts.partner_free_used;
}

std::uint32_t free_cap_used_release(store::write_view& write, const std::string& partner_id, std::int64_t now) {
  const auto expired = expired_cap_holds(write, partner_id, now);
  for (const auto& hold : expired) must(write.free_cap_hold_erase(partner_id, hold));
  if (!expired.empty()) must(write.free_cap_count_add(partner_id, -static_cast<std::int64_t>(expired.size())));
  return must(write.free_cap_count(partner_id));
}

std::uint32_t free_cap_used(const store::read_view& t, const std::string& partner_id, std::int64_t now) {
  const auto expired = expired_cap_holds(t, partner_id, now).size();
  return must(t.free_cap_count(partner_id)) - static_cast<std::uint32_t>(expired);
}

void free_cap_take(store::write_view& write, const license_record& license) {
  must(write.free_cap_count_add(license.partner_id, 1));
}

void free_cap_leave(store::write_view& write, const license_record& license, std::int64_t now, std::int64_t leeway) {
  const auto until = tokens_valid_until(license, now, leeway);
  if (until < now) return must(write.free_cap_count_add(license.partner_id, -1));
  must(write.free_cap_hold_put(license.partner_id, {until, license.id}));
}

void free_license_leave(store::write_view& write, const license_record& license, std::int64_t now, std::int64_t leeway) {
  if (license.kind != license_kind::free) return;
  if (license.status == license_status::revoked || license.status == license_status::expired) return;
  free_slot_leave(write, license, now, leeway);
  free_cap_leave(write, license, now, leeway);
}

void free_license_converted(store::write_view& write, const license_record& license) {
  if (license.kind != license_kind::free) return;
  if (license.status == license_status::revoked || license.status == license_status::expired) return;
  if (!license.customer_id.empty()) {
    const auto slot = must(write.free_slot_get(license.customer_id, license.product));
    if (slot && slot->license_id == license.id) must(write.free_slot_erase(license.customer_id, license.product));
  }
  must(write.free_cap_count_add(license.partner_id, -1));
}

}  // namespace licensor::server
