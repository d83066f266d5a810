#include "domain/json_write.hpp"

#include <simdjson.h>

#include <array>
#include <charconv>
#include <cstdint>

namespace licensor::server {
namespace {

// The bytes a JSON string cannot hold as they are: the quote, the backslash and the controls.
constexpr std::array<bool, 256> escaped = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

nlohmann::json::error_handler_t handler_of(invalid_utf8 invalid) {
  return invalid == invalid_utf8::refuse ? nlohmann::json::error_handler_t::strict
                                         : nlohmann::json::error_handler_t::replace;
}

// One escaped byte, spelled as nlohmann's dump spells it.
void escape_append(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: {
      constexpr std::string_view hex = "0123456789abcdef";
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
}

template <class Integer>
void integer_append(std::string& out, Integer number) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
  out.append(digits, end);
}

}  // namespace

void json_write_string(std::string& out, std::string_view text, invalid_utf8 invalid) {
  if (!simdjson::validate_utf8(text.data(), text.size())) {
    // Rare (only client bytes can be invalid): nlohmann's own handling, its refusal or replacement.
    out += nlohmann::json(std::string(text)).dump(-1, ' ', false, handler_of(invalid));
    return;
  }
  out += '"';
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!escaped[c]) continue;
    out.append(text.data() + run, i - run);
    escape_append(out, c);
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

void json_write(std::string& out, const nlohmann::json& value, invalid_utf8 invalid) {
  using type = nlohmann::json::value_t;
  switch (value.type()) {
    case type::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.get_ref<const nlohmann::json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        json_write_string(out, key, invalid);
        out += ':';
        json_write(out, member, invalid);
      }
      out += '}';
      return;
    }
    case type::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value.get_ref<const nlohmann::json::array_t&>()) {
        if (!first) out += ',';
        first = false;
        json_write(out, item, invalid);
      }
      out += ']';
      return;
    }
    case type::string: json_write_string(out, value.get_ref<const std::string&>(), invalid); return;
    case type::boolean: out += value.get<bool>() ? "true" : "false"; return;
    case type::number_integer: integer_append(out, value.get<std::int64_t>()); return;
    case type::number_unsigned: integer_append(out, value.get<std::uint64_t>()); return;
    case type::null: out += "null"; return;
    case type::discarded: out += "<discarded>"; return;  // what dump() writes for one
    case type::number_float:
    case type::binary: out += value.dump(-1, ' ', false, handler_of(invalid)); return;
  }
}

std::string json_write(const nlohmann::json& value, invalid_utf8 invalid) {
  std::string out;
  out.reserve(256);
  json_write(out, value, invalid);
  return out;
}

}  // namespace licensor::server
