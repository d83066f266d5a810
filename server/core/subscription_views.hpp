// How subscriptions show in answers: a license with its subscription (terms, seat-decrease
// windows, cancel window, scheduled change, members), and ledger entries.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>

#include "store/store.hpp"

namespace licensor::server {

/// The license view, with "subscription" when it has one (read through `view`).
[[nodiscard]] nlohmann::json subscription_license_view(const store::read_view& view, const license_record& license,
                                                       std::int64_t now);

[[nodiscard]] nlohmann::json ledger_view(const subscription::ledger_entry& entry);

}  // namespace licensor::server
