#include "api/csv.hpp"

namespace licensor::server {

std::optional<std::vector<std::vector<std::string>>> csv_parse(std::string_view text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;       // inside a quoted field
  bool was_quoted = false;   // the current field was quoted (only a separator may follow its end)
  const auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
    was_quoted = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = false;
        was_quoted = true;
      }
      continue;
    }
    if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_field();
      records.push_back(std::move(record));
      record.clear();
    } else if (c == '"') {
      if (!field.empty() || was_quoted) return std::nullopt;
      quoted = true;
    } else {
      if (was_quoted) return std::nullopt;
      field += c;
    }
  }
  if (quoted) return std::nullopt;
  if (!field.empty() || was_quoted || !record.empty()) {
    end_field();
    records.push_back(std::move(record));
  }
  return records;
}

namespace {

// A negative whole number ("-1200", a refund in minor units) is a number to a spreadsheet, not a
// formula: it stays as it is.
bool negative_number(std::string_view field) {
  return field.size() > 1 && field.front() == '-' &&
         field.find_first_not_of("0123456789", 1) == std::string_view::npos;
}

bool formula_like(std::string_view field) {
  return !field.empty() && std::string_view("=+-@\t\r").find(field.front()) != std::string_view::npos &&
         !negative_number(field);
}

}  // namespace

std::string csv_record(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    std::string field = fields[i];
    if (formula_like(field)) field.insert(0, "'");
    if (field.find_first_of(",\"\r\n") == std::string::npos) {
      out += field;
      continue;
    }
    out += '"';
    for (const char c : field) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
  return out;
}

}  // namespace licensor::server
