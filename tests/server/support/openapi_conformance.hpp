// Every answer a black-box suite receives is checked against the OpenAPI document the server
// under test serves (GET /v1/openapi.json, fetched once per server): the operation must list the
// status, and a JSON body must match the documented schema (types, required properties,
// enums, closed objects, bounds). So the document cannot drift from the server: a new error
// code, status or field that the document lacks fails the suite that met it.
//
// An answer to a path or method the document does not describe must be a 4xx with the Error
// shape (the portal's files, GET / and /assets/…, aside). Benchmarks share the HTTPS client and leave the check off; test executables turn it on
// by linking licensor::openapi_conformance (a static initializer calls enable()).
#pragma once

#include <string_view>

#include "support/https_client.hpp"

namespace licensor::testing {

/// Turns the check on for this process. Thread-safe.
void openapi_conformance_enable();
[[nodiscard]] bool openapi_conformance_enabled();

/// Throws std::runtime_error naming the operation, the status and the first mismatch when
/// `reply` to `method target` from the server on `port` is not what its document says.
void openapi_conformance_check(unsigned short port, std::string_view method, std::string_view target,
                               const response& reply);

}  // namespace licensor::testing
