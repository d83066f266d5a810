// The free-license slots, kept so that the programme's rules bound the free tokens in
// circulation, not only the stored licenses.
//
// A free license is perpetual but its tokens are not (license_tokens.hpp: they expire after
// free_token_lifetime_seconds and the app renews them online). So a free license that leaves
// its customer (unlinked, transferred) or is deleted keeps what it took until the last token it
// handed out has expired:
// - the customer's "one free license per product" slot stays held (store::free_slot, with
//   held_until set once the license left), and
// - a deleted license's place under the partner's cap stays counted: the cap count goes down
//   only when its hold (store::free_cap_hold) expires.
// A revoked free license, and one expired for non-compliance (core/compliance.hpp), leave the
// same way: both still verify offline until their last token expires. (The seed rules count
// licenses issued; counting the valid tokens instead is what keeps "one free per customer"
// and the cap meaningful once licenses can be revoked or expire.)
// Holds are released lazily, by the next free issue of that partner or customer (and not
// counted by the usage view once expired), so no sweeper job is needed.
#pragma once

#include <cstdint>
#include <string>

#include "domain/records.hpp"
#include "domain/rules.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// True when the customer has a free license of `product`, or had one whose tokens may still
/// be valid at `now`. A hold "until" T is held at T and released from T + 1.
[[nodiscard]] bool free_slot_held(const store::read_view& t, const std::string& customer_id, const std::string& product,
                                  std::int64_t now);

/// True when the customer holds any free slot at `now` (of any product).
[[nodiscard]] bool free_slots_held_any(const store::read_view& t, const std::string& customer_id, std::int64_t now);

/// Removes the customer's expired holds (before the customer itself is removed).
void free_slots_expired_remove(store::write_view& write, const std::string& customer_id, std::int64_t now);

/// Gives the free `license` its customer's slot (at issue, or when transferred in).
void free_slot_take(store::write_view& write, const license_record& license);

/// The free `license` leaves its customer: the slot is held until its last token expires, plus
/// `leeway` (verifiers accept a token that long after its exp). Does nothing for other kinds,
/// for an unlinked license, or when another license holds the slot.
void free_slot_leave(store::write_view& write, const license_record& license, std::int64_t now, std::int64_t leeway);

/// A free license leaves the programme's counts (deleted, revoked, expired for non-compliance):
/// its customer's slot (free_slot_leave) and its place under the partner's cap (free_cap_leave)
/// are held until its last token has expired, then released. Once only: does nothing for a
/// license that already left (revoked, or expired), nor for other kinds.
void free_license_leave(store::write_view& write, const license_record& license, std::int64_t now, std::int64_t leeway);

/// A free license becomes paid (core/subscription_changes.hpp: free_license_convert): its slot
/// and its place under the cap are given back at once, not held: the tokens it handed out are a
/// paying customer's now. Does nothing for a license that already left.
void free_license_converted(store::write_view& write, const license_record& license);

/// The free-license rules for a new free license of `product` for `customer` (one free per
/// customer and product, the partner's domains, the cap), with the facts read in `write` and the
/// expired holds released. Throws refusal with the rule's code. Returns the free licenses the
/// partner holds against its cap before this one.
std::uint32_t free_rules_check(store::write_view& write, const partner_record& partner, const customer_record& customer,
                               const std::string& product, const level_caps& caps, std::int64_t now);

/// The partner's free licenses under its cap at `now`, after releasing the holds that expired.
[[nodiscard]] std::uint32_t free_cap_used_release(store::write_view& write, const std::string& partner_id, std::int64_t now);

/// The same count, read-only (expired holds are not counted, not released).
[[nodiscard]] std::uint32_t free_cap_used(const store::read_view& t, const std::string& partner_id, std::int64_t now);

/// A free license is issued: one more under the partner's cap.
void free_cap_take(store::write_view& write, const license_record& license);

/// A free license is deleted: its place under the cap is held until its last token expires,
/// plus `leeway`.
void free_cap_leave(store::write_view& write, const license_record& license, std::int64_t now, std::int64_t leeway);

}  // namespace licensor::server
