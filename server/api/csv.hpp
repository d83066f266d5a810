// CSV as RFC 4180 writes it: fields separated by commas, optionally in double quotes (a quote
// inside one doubled), records ended by CRLF or LF. Used for imports (docs/imports.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace licensor::server {

/// The records of `text`, each a list of fields; a last line left empty is not a record.
/// nullopt when a quoted field is not closed or a quote stands inside an unquoted field.
[[nodiscard]] std::optional<std::vector<std::vector<std::string>>> csv_parse(std::string_view text);

}  // namespace licensor::server
