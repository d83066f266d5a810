// The one assertion every refusal uses in the black-box suites: the HTTP status AND the stable
// error code in the {"error":{"code","message"}} shape, never the message.
#pragma once

#include <doctest/doctest.h>

#include "support/https_client.hpp"

#define CHECK_ERROR(reply, expected_status, expected_code)            \
  do {                                                                \
    const ::licensor::testing::response& checked_ = (reply);          \
    INFO("response ", checked_.status, ": ", checked_.body);          \
    CHECK(checked_.status == (expected_status));                      \
    CHECK(checked_.has_error_shape());                                \
    CHECK(checked_.error_code() == (expected_code));                  \
  } while (0)
