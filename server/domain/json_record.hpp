// A stored record straight from and to its JSON text, with no nlohmann::json built in between
// (building one and then reading the record out of it was two thirds of a license's decoding,
// which is a tenth of a validation).
//
// Reading: simdjson finds the structure and each member is read from it. The result is
// from_json(json_read(text)): the same members, the same defaults for a missing key, the last of
// a key given twice, the same refusals; except that a number no member can hold refuses the
// record (an integer beyond 64 bits, nesting deeper than simdjson's 1,024 levels, or a fraction
// whose whole part is out of the member's range, which nlohmann's cast would convert with
// undefined behaviour): no record this server writes holds one.
//
// Writing: domain/json_record_write.hpp (included here).
//
// For the store's record codec (store/record_codec.hpp); everything else reads JSON through
// domain/json_read.hpp.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "domain/json_fields.hpp"
#include "domain/json_record_write.hpp"

namespace licensor::server {

/// The nlohmann::json value of one element of a simdjson document, as json_read builds it.
[[nodiscard]] nlohmann::json json_value_of(simdjson::dom::element element);

/// Parses `text` (with the parser this thread keeps, or with one of its own when the text is
/// larger than that parser's buffers) and calls `use` with its root, which lives during the call
/// only; false, without calling it, when simdjson refuses the text. Parsers are made only in
/// json_read.cpp: a parser's layout depends on how simdjson is configured, an element's does not.
bool json_parse_then(std::string_view text, const std::function<void(simdjson::dom::element)>& use);

namespace json_record_detail {

/// Thrown inside the reader: a value the member cannot take (nlohmann's type_error).
struct mismatch {};

template <class Member>
void read(simdjson::dom::element element, Member& out);

/// Whether `value`'s whole part fits `Integer`: converting it is defined only then.
template <class Integer>
bool whole_part_fits(double value) {
  const double whole = std::trunc(value);
  const double bound = std::ldexp(1.0, std::numeric_limits<Integer>::digits);  // a power of two: exact
  return whole < bound && whole >= (std::is_signed_v<Integer> ? -bound : 0.0);
}

template <class Record, std::size_t Index>
void read_field(simdjson::dom::element element, Record& out) {
  constexpr auto field = std::get<Index>(json_fields(static_cast<const Record*>(nullptr)));
  read(element, out.*(field.member));
}

template <class Record>
using field_reader = void (*)(simdjson::dom::element, Record&);

// The record's keys, sorted, each with the reader of its member.
template <class Record, std::size_t... Index>
auto field_table(std::index_sequence<Index...>) {
  constexpr auto fields = json_fields(static_cast<const Record*>(nullptr));
  std::array<std::pair<std::string_view, field_reader<Record>>, sizeof...(Index)> table{
      {{std::get<Index>(fields).key, &read_field<Record, Index>}...}};
  std::sort(table.begin(), table.end());
  return table;
}

template <class Record>
void read_object(simdjson::dom::element element, Record& out) {
  static const auto table = field_table<Record>(
      std::make_index_sequence<std::tuple_size_v<decltype(json_fields(static_cast<const Record*>(nullptr)))>>());
  simdjson::dom::object object;
  if (element.get_object().get(object)) throw mismatch{};
  out = Record{};  // every member a key does not name keeps its default, as nlohmann's from_json does
  // This server writes a record's keys in this table's order (json_write_record prints them
  // sorted, as nlohmann does), so the entry after the last one read is tried first and the
  // search is for text written otherwise (a jsonb column orders keys by length).
  auto next = table.begin();
  for (const auto field : object) {
    const auto found = next != table.end() && next->first == field.key
                           ? next
                           : std::lower_bound(table.begin(), table.end(), field.key,
                                              [](const auto& entry, std::string_view key) { return entry.first < key; });
    if (found == table.end() || found->first != field.key) continue;
    found->second(field.value, out);
    next = found + 1;
  }
}

template <class Member>
void read(simdjson::dom::element element, Member& out) {
  using type = simdjson::dom::element_type;
  if constexpr (std::is_same_v<Member, std::string>) {
    std::string_view text;
    if (element.get_string().get(text)) throw mismatch{};
    out.assign(text);
  } else if constexpr (std::is_same_v<Member, bool>) {
    if (element.get_bool().get(out)) throw mismatch{};
  } else if constexpr (std::is_arithmetic_v<Member>) {
    // nlohmann converts any number, and a boolean, to an arithmetic member.
    switch (element.type()) {
      case type::INT64: out = static_cast<Member>(std::int64_t(element)); return;
      case type::UINT64: out = static_cast<Member>(std::uint64_t(element)); return;
      case type::DOUBLE: {
        const double value = double(element);
        if constexpr (std::is_integral_v<Member>) {
          if (!whole_part_fits<Member>(value)) throw mismatch{};
        }
        out = static_cast<Member>(value);
        return;
      }
      case type::BOOL: out = static_cast<Member>(bool(element)); return;
      default: throw mismatch{};
    }
  } else if constexpr (is_vector<Member>::value) {
    simdjson::dom::array array;
    if (element.get_array().get(array)) throw mismatch{};
    out.clear();
    for (const auto item : array) read(item, out.emplace_back());
  } else if constexpr (has_json_fields<Member>) {
    read_object(element, out);
  } else {
    // Anything else (enums stored by name, maps, documents) through its own from_json.
    out = json_value_of(element).template get<Member>();
  }
}

}  // namespace json_record_detail

/// `text` read into `out` as `json_read(text).get<Record>()` would (but for the numbers above);
/// false (with `out` in an unspecified state) when the text is not a JSON object or a value does
/// not fit its member. Never throws.
template <has_json_fields Record>
[[nodiscard]] bool json_read_record(std::string_view text, Record& out) {
  try {
    return json_parse_then(text, [&out](simdjson::dom::element root) { json_record_detail::read_object(root, out); });
  } catch (const json_record_detail::mismatch&) {
    return false;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

}  // namespace licensor::server
