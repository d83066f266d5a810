// Product policy: what free and trial licenses of a product may grant (tiers, seats, features),
// so a partner cannot hand out the top tier with a million seats and every feature for nothing.
// Pure functions of the product and the license: no store, no clock. Paid licenses are what a
// partner sells, so the policy does not limit them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/records.hpp"

namespace licensor::server {

/// The programme's trial size (DESIGN.md section 4): the most seats a trial gets by default.
inline constexpr std::uint32_t trial_default_max_seats = 25;

/// True for the kinds a policy governs: free and trial.
[[nodiscard]] bool product_policy_governs(license_kind kind);

/// The default policy of `kind` (free or trial) for `product`: free licenses get the product's
/// lowest tier, 1 seat and no features; trials any tier, at most 25 seats and no features.
[[nodiscard]] kind_policy product_policy_default(const product_record& product, license_kind kind);

/// The policy in force for `kind` (free or trial): the one an operator set, else the default.
[[nodiscard]] kind_policy product_policy_of(const product_record& product, license_kind kind);

/// The lowest app version `product` sets for licenses of `kind` ("" when it sets none).
[[nodiscard]] std::string product_min_version(const product_record& product, license_kind kind);

/// Why `product`'s policy refuses `license` (its kind, tier, seats and features), as a message
/// naming the rule; nullopt when the policy allows it, and always for paid licenses.
[[nodiscard]] std::optional<std::string> product_policy_refusal(const product_record& product,
                                                                const license_record& license);

}  // namespace licensor::server
