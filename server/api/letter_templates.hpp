// The letter templates compiled into the binary (generated from api/templates/ by CMake).
#pragma once

#include <string_view>

namespace licensor::server {

[[nodiscard]] std::string_view delivery_letter_template() noexcept;

}  // namespace licensor::server
