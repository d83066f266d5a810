// Shared by the licensord black-box suites: doctest, the support library, and the one-line
// assertion every refusal uses (HTTP status AND the stable error code, never the message).
#pragma once

#include <doctest/doctest.h>

#include "support/error_check.hpp"
#include "support/https_client.hpp"
#include "support/licensor_api.hpp"
#include "support/licensord_process.hpp"

namespace licensor::testing {

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
