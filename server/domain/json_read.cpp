#include "domain/json_read.hpp"

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <string>

#include "domain/json_record.hpp"

namespace licensor::server {
namespace {

// A parser keeps buffers the size of the largest text it read: each thread keeps one for records
// and ordinary bodies, and a larger text (an import) gets one of its own.
constexpr std::size_t kept_parser_capacity = 64 * 1024;

}  // namespace

nlohmann::json json_value_of(simdjson::dom::element element) {
  using type = simdjson::dom::element_type;
  switch (element.type()) {
    case type::OBJECT: {
      auto object = nlohmann::json::object();
      for (const auto field : simdjson::dom::object(element)) object[std::string(field.key)] = json_value_of(field.value);
      return object;
    }
    case type::ARRAY: {
      auto array = nlohmann::json::array();
      for (const auto item : simdjson::dom::array(element)) array.push_back(json_value_of(item));
      return array;
    }
    case type::STRING: return std::string(std::string_view(element));
    case type::INT64: {
      const auto number = std::int64_t(element);
      if (number >= 0) return static_cast<std::uint64_t>(number);  // as nlohmann's parser types it
      return number;
    }
    case type::UINT64: return std::uint64_t(element);
    case type::DOUBLE: return double(element);
    case type::BOOL: return bool(element);
    case type::NULL_VALUE: return nullptr;
  }
  return nullptr;
}

bool json_parse_then(std::string_view text, const std::function<void(simdjson::dom::element)>& use) {
  thread_local simdjson::dom::parser kept;
  simdjson::dom::parser once;
  auto& parser = text.size() <= kept_parser_capacity ? kept : once;
  // realloc_if_needed: the text is copied into the parser's padded buffer (simdjson reads a few
  // bytes past the end; a stored value in a memory map or a request body has no such padding).
  const auto document = parser.parse(text.data(), text.size(), /*realloc_if_needed=*/true);
  if (document.error()) return false;
  use(document.value_unsafe());
  return true;
}

nlohmann::json json_read(std::string_view text) {
  nlohmann::json value;
  if (json_parse_then(text, [&value](simdjson::dom::element root) { value = json_value_of(root); })) return value;
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace licensor::server
