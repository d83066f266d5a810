// Shared by the licensord black-box suites: doctest, the support library, their common givens, and
// the one-line assertion every refusal uses (HTTP status AND the stable error code, never the message).
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

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
