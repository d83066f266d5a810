// Times in the subscription suites: a day, and instants written as the API writes them (RFC 3339).
#pragma once

#include <cstdint>
#include <string>

#include "licensor/rfc3339.hpp"

namespace licensor::testing {

inline constexpr std::int64_t day = licensor::day_seconds;

inline std::string t(std::int64_t seconds) { return licensor::rfc3339_format(seconds); }
inline std::int64_t at(const std::string& text) { return *licensor::rfc3339_parse(text); }

}  // namespace licensor::testing
