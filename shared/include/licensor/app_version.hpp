// App versions as licenses name them: dot-separated non-negative integers ("20", "20.1.3").
// Missing components count as zero, so "20" == "20.0.0".
#pragma once

#include <string_view>

#include "licensor/result.hpp"

namespace licensor {

/// Negative, zero or positive as a <, == or > b. Errors: malformed (empty part, non-digit,
/// a component over 9 digits).
[[nodiscard]] result<int> app_version_compare(std::string_view a, std::string_view b);

}  // namespace licensor
