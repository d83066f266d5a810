// Imports (core/imports.hpp): a chunk of rows per request, as JSON objects or as CSV text with
// its header line; the format is docs/imports.md.
#include <charconv>

#include "api/body_reader.hpp"
#include "api/csv.hpp"
#include "api/routes.hpp"
#include "api/scope.hpp"
#include "core/ids.hpp"
#include "core/imports.hpp"
#include "domain/activation_key.hpp"
#include "licensor/rfc3339.hpp"
#include "subscription/vat.hpp"

namespace licensor::server {
namespace {

constexpr std::size_t rows_max = 1'000;  // per request; a request is also bounded in bytes
const std::vector<std::string> row_fields{"external_id", "email", "name", "vat_number", "product", "kind",
                                          "tier", "seats", "features", "issued_at", "expires_at"};

// A field's text: CSV gives every field as text, JSON may give numbers and arrays.
std::string text_of(const nlohmann::json& row, const std::string& name) {
  const auto it = row.find(name);
  if (it == row.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  throw std::invalid_argument("'" + name + "' must be text");
}

// Reads one row into `out`; what is wrong with it goes to out.problem (the row is then refused
// alone, with bad_request).
void row_read(const nlohmann::json& row, import_row& out, std::int64_t now) {
  try {
    if (!row.is_object()) throw std::invalid_argument("a row must be an object");
    out.external_id = text_of(row, "external_id");  // first, so that the report names the row
    if (out.external_id.empty() || out.external_id.size() > 128) throw std::invalid_argument("'external_id' must be 1-128 characters");
    for (const auto& [name, value] : row.items())
      if (std::find(row_fields.begin(), row_fields.end(), name) == row_fields.end())
        throw std::invalid_argument("unknown field '" + name + "'");
    out.email = text_of(row, "email");
    out.customer_name = text_of(row, "name");
    if (out.customer_name.size() > 200) throw std::invalid_argument("'name' is longer than 200 characters");
    if (const auto vat = text_of(row, "vat_number"); !vat.empty()) {
      const auto checked = subscription::vat_number_check(vat);
      if (!checked) throw std::invalid_argument("'vat_number' is not a valid VAT number");
      out.vat_number = *checked;
    }
    out.product = text_of(row, "product");
    if (out.product.empty()) throw std::invalid_argument("'product' is required");
    if (const auto kind = text_of(row, "kind"); !kind.empty()) out.kind = kind;
    out.tier = text_of(row, "tier");
    if (const auto seats = row.find("seats"); seats != row.end() && !seats->is_null()) {
      std::uint64_t value = 0;
      if (seats->is_number_unsigned()) {
        value = seats->get<std::uint64_t>();
      } else {
        const auto text = text_of(row, "seats");
        const auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || parsed.ec != std::errc() || parsed.ptr != text.data() + text.size()) value = 0;
      }
      if (value < 1 || value > 1'000'000) throw std::invalid_argument("'seats' must be 1 to 1000000");
      out.seats = static_cast<std::uint32_t>(value);
    }
    if (const auto features = row.find("features"); features != row.end() && !features->is_null()) {
      if (features->is_array()) {
        for (const auto& feature : *features) {
          if (!feature.is_string()) throw std::invalid_argument("'features' must list text");
          out.features.push_back(feature.get<std::string>());
        }
      } else {
        // CSV: "export;sync"
        const auto text = text_of(row, "features");
        for (std::size_t start = 0; start < text.size();) {
          const auto semicolon = std::min(text.find(';', start), text.size());
          if (semicolon > start) out.features.push_back(text.substr(start, semicolon - start));
          start = semicolon + 1;
        }
      }
    }
    const auto issued = rfc3339_parse(text_of(row, "issued_at"));
    if (!issued) throw std::invalid_argument("'issued_at' must be an RFC 3339 time");
    if (*issued > now) throw std::invalid_argument("'issued_at' is in the future");
    out.issued_at = *issued;
    if (const auto expires = text_of(row, "expires_at"); !expires.empty()) {
      const auto parsed = rfc3339_parse(expires);
      if (!parsed || *parsed <= out.issued_at) throw std::invalid_argument("'expires_at' must be an RFC 3339 time after 'issued_at'");
      out.expires_at = *parsed;
    }
  } catch (const std::exception& wrong) {
    out.problem = wrong.what();
  }
}

// The rows of a CSV chunk, as JSON objects named by its header line.
std::vector<nlohmann::json> csv_rows(const std::string& text) {
  auto records = csv_parse(text);
  if (!records) refuse(errc::bad_request, "field 'csv' is not valid CSV (a quote is not closed, or stands inside a field)");
  if (records->empty()) refuse(errc::bad_request, "field 'csv' has no header line");
  const auto& header = records->front();
  std::vector<nlohmann::json> rows;
  for (std::size_t r = 1; r < records->size(); ++r) {
    const auto& record = (*records)[r];
    if (record.size() == 1 && record.front().empty()) continue;  // a blank line
    nlohmann::json row = nlohmann::json::object();
    if (record.size() != header.size()) {
      row["__fields"] = "has " + std::to_string(record.size()) + " fields, the header " + std::to_string(header.size());
    } else {
      for (std::size_t f = 0; f < header.size(); ++f)
        if (!record[f].empty()) row[header[f]] = record[f];
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

nlohmann::json outcome_view(const import_outcome& outcome, std::size_t rows) {
  auto refused = nlohmann::json::array();
  for (const auto& row : outcome.refused)
    refused.push_back({{"line", row.line}, {"external_id", row.external_id}, {"code", row.code}, {"message", row.message}});
  return {{"rows", rows}, {"imported", outcome.imported}, {"unchanged", outcome.unchanged}, {"refused", std::move(refused)}};
}

}  // namespace

void import_post(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"rows", "csv", "partner_id", "first_line"});
  const auto partner_id = acting_partner(call, body);
  // The CSV text is bounded by the request's size, not by the limit on one string field.
  const bool has_csv = call.body.contains("csv");
  const bool has_rows = call.body.contains("rows");
  if (has_csv == has_rows) refuse(errc::bad_request, "give exactly one of 'rows' and 'csv'");
  std::vector<nlohmann::json> given;
  if (has_csv) {
    if (!call.body.at("csv").is_string()) refuse(errc::bad_request, "field 'csv' must be a string");
    given = csv_rows(call.body.at("csv").get_ref<const std::string&>());
  } else {
    if (!call.body.at("rows").is_array()) refuse(errc::bad_request, "field 'rows' must be an array");
    given = call.body.at("rows").get<std::vector<nlohmann::json>>();
  }
  if (given.size() > rows_max) refuse(errc::bad_request, "at most 1000 rows per request: send the file in chunks");
  // Lines as in the file: after the CSV header, or the first JSON row's.
  const auto first_line = static_cast<std::size_t>(body.optional_integer("first_line", 1, 1'000'000'000).value_or(has_csv ? 2 : 1));
  const auto now = svc.now();
  std::vector<import_row> rows(given.size());
  for (std::size_t i = 0; i < given.size(); ++i) {
    auto& row = rows[i];
    row.line = first_line + i;
    if (given[i].is_object() && given[i].contains("__fields")) {
      row.problem = "the line " + given[i].at("__fields").get<std::string>();
    } else {
      row_read(given[i], row, now);
    }
    row.license_id = id_generate("lic_");
    row.customer_id = id_generate("cus_");
    row.activation_key = activation_key_generate();
  }
  svc.commit(call, [who = call.who, partner_id, rows = std::move(rows), settings = license_settings{svc.config().caps,
                                                                                                     svc.config().leeway_seconds},
                    now](store::write_view& write, const signing& with) {
    return answer(outcome_view(import_rows_apply(write, who, partner_id, rows, with, settings, now), rows.size()));
  }, std::move(respond));
}

}  // namespace licensor::server
