// CSV as RFC 4180 writes it: fields separated by commas, optionally in double quotes (a quote
// inside one doubled), records ended by CRLF or LF. Read for imports (docs/imports.md), written
// for exports.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace licensor::server {

/// The records of `text`, each a list of fields; a last line left empty is not a record.
/// nullopt when a quoted field is not closed or a quote stands inside an unquoted field.
[[nodiscard]] std::optional<std::vector<std::vector<std::string>>> csv_parse(std::string_view text);

/// One record as exports write it, ended by CRLF. A field that a spreadsheet would take for a
/// formula (it starts with =, +, -, @, a tab or a carriage return, and is not a negative whole
/// number) gets a leading ' so that it stays text (OWASP's CSV injection advice); a field with a
/// comma, a quote or a line break is quoted.
[[nodiscard]] std::string csv_record(const std::vector<std::string>& fields);

}  // namespace licensor::server
