// RFC 3339 timestamps, as PASETO's registered claims require. Times are whole seconds since
// the Unix epoch (UTC); fractions are accepted on input and dropped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "licensor/result.hpp"

namespace licensor {

using unix_seconds = std::int64_t;
/// A UTC day: Unix time counts no leap seconds, so every day has exactly this many.
inline constexpr unix_seconds day_seconds = 86'400;

/// "2026-11-22T02:44:36Z".
[[nodiscard]] std::string rfc3339_format(unix_seconds t);
/// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)", 't'/'z' in either case.
/// Errors: malformed (shape, out-of-range fields, years outside 1970..9999).
[[nodiscard]] result<unix_seconds> rfc3339_parse(std::string_view text);

}  // namespace licensor
