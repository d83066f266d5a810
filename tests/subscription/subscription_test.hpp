// Shared by the subscription black-box suites: one licensord started with --test-clock for the
// whole executable, and time helpers (cases move the clock with POST /v1/test/clock).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/error_check.hpp"
#include "support/https_client.hpp"
#include "support/licensor_api.hpp"
#include "support/licensord_process.hpp"
#include "time_text.hpp"

namespace licensor::testing {

/// The suites' licensord, started on first use with the test clock.
inline licensord_process& server() {
  static auto process = std::make_unique<licensord_process>(std::vector<std::string>{"--test-clock"});
  return *process;
}

/// The sum of a ledger's amounts, for one `reason` or all.
inline std::int64_t sum_amounts(const nlohmann::json& items, const std::string& reason = {}) {
  std::int64_t total = 0;
  for (const auto& item : items)
    if (reason.empty() || item.at("reason") == reason) total += item.at("amount").get<std::int64_t>();
  return total;
}

/// Every audit entry about `target`.
inline std::vector<nlohmann::json> audit_of(https_client& as_operator, const std::string& target) {
  auto entries = audit_all(as_operator);
  std::erase_if(entries, [&](const nlohmann::json& entry) { return entry.at("target") != target; });
  return entries;
}

}  // namespace licensor::testing
