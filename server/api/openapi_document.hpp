// The OpenAPI 3.1 document (server/openapi.json), compiled in and served at /v1/openapi.json.
#pragma once

#include <string_view>

namespace licensor::server {

[[nodiscard]] std::string_view openapi_document() noexcept;

}  // namespace licensor::server
