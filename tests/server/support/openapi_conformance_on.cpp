// Linked into the black-box test executables (licensor::openapi_conformance): every answer
// their HTTPS clients receive is checked against the served OpenAPI document.
#include "support/openapi_conformance.hpp"

namespace {

[[maybe_unused]] const bool conformance_on = [] {
  licensor::testing::openapi_conformance_enable();
  return true;
}();

}  // namespace
