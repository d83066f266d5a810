// What a subscription adds to a license, as stored (JSON in the "subscriptions" sub-database,
// keyed by license id). The license record keeps the token-visible fields (status, tier, kind,
// seats, expires_at); this record keeps the terms, the seat lots and the money.
// Times are Unix seconds; money is integer minor units of `currency`.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "domain/json_fields.hpp"

namespace licensor::server::subscription {

/// Seats added together (purchase, renewal, top-up, conversion): they share a 7-day decrease
/// window that opened at `added_at`, and were charged `unit_charge` each for [added_at, term_end).
struct seat_lot {
  std::uint32_t count = 0;
  std::int64_t added_at = 0;
  std::int64_t unit_charge = 0;
  std::int64_t term_end = 0;
};

/// Changes that take effect at the next renewal. Empty strings / 0 mean "keep".
struct scheduled_change {
  std::string tier;
  std::uint32_t seats = 0;
  std::string term;
  std::int64_t requested_at = 0;
  [[nodiscard]] bool empty() const noexcept { return tier.empty() && seats == 0 && term.empty(); }
};

struct subscription_record {
  std::string license_id;
  std::string term = "monthly";     ///< monthly or annual (for a trial: what it converts to)
  std::int64_t anchor_at = 0;       ///< term ends are computed from here
  std::int64_t period = 1;          ///< the current term is period `period` after the anchor
  std::int64_t term_start = 0;      ///< purchase, last renewal, or trial start
  std::int64_t term_end = 0;        ///< the license's expires_at
  bool auto_renew = true;
  bool trial = false;
  std::string base_license_id;      ///< set for add-ons: its end follows this license
  std::vector<std::string> addons;  ///< for a base: its add-ons
  bool suspended_by_base = false;   ///< an add-on suspended because its base was
  std::vector<seat_lot> lots;       ///< sums to the license's seats
  scheduled_change scheduled;
  std::string currency;
  std::int64_t term_charged = 0;    ///< charged minus refunded in the current term
  std::int64_t schedule_due = 0;    ///< the time under which it is queued in "schedule" (0: none)
  std::string converted_into;       ///< a trial converted into another subscription
  std::int64_t created_at = 0;
};

/// One line of a license's ledger. Charges are positive, refunds negative.
struct ledger_entry {
  std::uint64_t seq = 0;
  std::string license_id;
  std::string partner_id;
  std::int64_t at = 0;
  std::string type;    ///< charge or refund
  std::string reason;  ///< purchase, renewal, seats_added, upgrade, conversion, add_on, seat_decrease, cancellation
  std::int64_t amount = 0;
  std::string currency;
  std::string tier;
  std::uint32_t seats = 0;
  std::int64_t period_start = 0;
  std::int64_t period_end = 0;
  int discount_percent = 0;
  std::string by;  ///< who made the change that charged or refunded (a caller id: "user:usr_…", "partner:…", "scheduler")
};

/// A member: an email assigned a seat of a license, with its own token once it activated.
struct member_record {
  std::string email;
  std::int64_t added_at = 0;
  std::string token;
  std::string kid;
  std::int64_t token_at = 0;  ///< the license's updated_at the token was signed from
  std::vector<std::string> token_hashes;  ///< every token issued to the member (unindexed on removal)
};

LICENSOR_JSON_FIELDS(seat_lot, count, added_at, unit_charge, term_end)
LICENSOR_JSON_FIELDS(scheduled_change, tier, seats, term, requested_at)
LICENSOR_JSON_FIELDS(subscription_record, license_id, term, anchor_at, period, term_start,
                     term_end, auto_renew, trial, base_license_id, addons,
                     suspended_by_base, lots, scheduled, currency, term_charged,
                     schedule_due, converted_into, created_at)
LICENSOR_JSON_FIELDS(ledger_entry, seq, license_id, partner_id, at, type, reason, amount,
                     currency, tier, seats, period_start, period_end, discount_percent, by)
LICENSOR_JSON_FIELDS(member_record, email, added_at, token, kid, token_at, token_hashes)

}  // namespace licensor::server::subscription
