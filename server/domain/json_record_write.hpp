// A record's JSON text straight from its members (LICENSOR_JSON_FIELDS), with no nlohmann::json
// built in between: each member is written as domain/json_write writes its value, in the order
// of its key, so the text is nlohmann::json(record).dump() byte for byte. The writing half of
// domain/json_record.hpp, without simdjson: for the store's record codec, and for answers
// written straight to text where they are hot (core/views.hpp: license_public).
#pragma once

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "domain/json_fields.hpp"
#include "domain/json_write.hpp"

namespace licensor::server {

namespace json_record_detail {

template <class T>
struct is_vector : std::false_type {};
template <class T, class Allocator>
struct is_vector<std::vector<T, Allocator>> : std::true_type {};
template <class Allocator>
struct is_vector<std::vector<bool, Allocator>> : std::false_type {};  // its elements are not references

template <class Member>
void write(std::string& out, const Member& value);

template <class Record, std::size_t Index>
void write_field(std::string& out, const Record& record) {
  constexpr auto field = std::get<Index>(json_fields(static_cast<const Record*>(nullptr)));
  write(out, record.*(field.member));
}

template <class Record>
using field_writer = void (*)(std::string&, const Record&);

// The record's keys, sorted as nlohmann::json keeps an object's, each with the writer of its member.
template <class Record, std::size_t... Index>
auto field_writers(std::index_sequence<Index...>) {
  constexpr auto fields = json_fields(static_cast<const Record*>(nullptr));
  std::array<std::pair<std::string_view, field_writer<Record>>, sizeof...(Index)> table{
      {{std::get<Index>(fields).key, &write_field<Record, Index>}...}};
  std::sort(table.begin(), table.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return table;
}

template <class Record>
void write_object(std::string& out, const Record& record) {
  static const auto table = field_writers<Record>(
      std::make_index_sequence<std::tuple_size_v<decltype(json_fields(static_cast<const Record*>(nullptr)))>>());
  out += '{';
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (i > 0) out += ',';
    json_write_string(out, table[i].first);
    out += ':';
    table[i].second(out, record);
  }
  out += '}';
}

template <class Member>
void write(std::string& out, const Member& value) {
  if constexpr (std::is_same_v<Member, std::string>) {
    json_write_string(out, value);
  } else if constexpr (is_vector<Member>::value) {
    out += '[';
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (i > 0) out += ',';
      write(out, value[i]);
    }
    out += ']';
  } else if constexpr (has_json_fields<Member>) {
    write_object(out, value);
  } else if constexpr (std::is_same_v<Member, nlohmann::json>) {
    json_write(out, value);  // a member that is a document, or a value or null
  } else {
    // Numbers, booleans (no allocation in their nlohmann::json), and anything with its own
    // to_json (enums stored by name, maps, documents).
    json_write(out, nlohmann::json(value));
  }
}

}  // namespace json_record_detail

/// Appends `record`'s text to `out`: nlohmann::json(record).dump(), byte for byte. Throws
/// nlohmann's type_error (316) for a string member that is not valid UTF-8, as dump() does.
template <has_json_fields Record>
void json_write_record(std::string& out, const Record& record) {
  json_record_detail::write_object(out, record);
}

/// `record`'s text: nlohmann::json(record).dump(), byte for byte. Throws nlohmann's type_error
/// (316) for a string member that is not valid UTF-8, as dump() does.
template <has_json_fields Record>
[[nodiscard]] std::string json_write_record(const Record& record) {
  std::string out;
  out.reserve(512);
  json_write_record(out, record);
  return out;
}

}  // namespace licensor::server
