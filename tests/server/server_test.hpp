// Shared by the licensord black-box suites: doctest, the support library, their common givens, and
// the one-line assertion every refusal uses (HTTP status AND the stable error code, never the message).
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "licensor/rfc3339.hpp"
#include "support/error_check.hpp"
#include "support/https_client.hpp"
#include "support/licensor_api.hpp"
#include "support/licensord_process.hpp"

namespace licensor::testing {

/// The suites' shared givens: a day on the test clock, a password the server's rules accept, a
/// tier price (10.00 a seat-month, 100.00 a seat-year) and a time written as the API takes it.
inline constexpr std::int64_t day = licensor::day_seconds;
inline constexpr const char* password = "correct horse battery staple";
inline const nlohmann::json price{{"currency", "EUR"}, {"seat_month", 1000}, {"seat_year", 10000}};
inline std::string at(std::int64_t time) { return licensor::rfc3339_format(time); }

/// Answers gathered from concurrent calls: each one's HTTP status and error code ("" on success).
using answers = std::vector<std::pair<unsigned, std::string>>;
/// How many of `gathered` answered `status` (with error `code`, when one is given).
inline std::size_t answers_with(const answers& gathered, unsigned status, std::string_view code = {}) {
  return static_cast<std::size_t>(std::count_if(gathered.begin(), gathered.end(), [&](const auto& answer) {
    return answer.first == status && (code.empty() || answer.second == code);
  }));
}

/// One licensord for the suites that only need their own partner (started on first use,
/// killed at exit). Suites that restart the server or change its keys start their own.
licensord_process& shared_server();

/// What most cases start from: the shared server, a product, a fresh partner with its API key,
/// and clients for the operator, the partner and anyone.
struct partner_world {
  licensord_process& server = shared_server();
  https_client as_operator = server.operator_client();
  std::string product = product_create(as_operator);
  partner_account partner = partner_create(as_operator);
  https_client as_partner = server.client(partner.api_key);
  https_client anyone = server.client();
};

}  // namespace licensor::testing
