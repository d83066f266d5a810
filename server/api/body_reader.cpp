#include "api/body_reader.hpp"

#include <algorithm>

#include "api/api_types.hpp"
#include "licensor/app_version.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {
namespace {

constexpr std::size_t max_string_bytes = 4096;
constexpr std::size_t max_list_items = 256;

[[noreturn]] void field_error(std::string_view name, std::string_view what) {
  refuse(errc::bad_request, "field '" + std::string(name) + "' " + std::string(what));
}

}  // namespace

bool app_version_well_formed(std::string_view text) { return text.size() <= 64 && app_version_compare(text, "0").ok(); }

body_reader::body_reader(const nlohmann::json& body, std::initializer_list<std::string_view> allowed)
    : body_(body) {
  if (!body_.is_object()) refuse(errc::bad_request, "body must be a JSON object");
  for (const auto& item : body_.items())
    if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end())
      field_error(item.key(), "is not known");
}

const nlohmann::json* body_reader::find(std::string_view name) const {
  const auto it = body_.find(name);
  return it == body_.end() || it->is_null() ? nullptr : &*it;
}

std::string body_reader::string(std::string_view name) const {
  auto value = optional_string(name);
  if (!value) field_error(name, "is required");
  return *value;
}

std::optional<std::string> body_reader::optional_app_version(std::string_view name) const {
  auto version = optional_string(name);
  if (version && !app_version_well_formed(*version)) field_error(name, "must be a version like \"20.1\"");
  return version;
}

std::optional<std::string> body_reader::optional_string(std::string_view name) const {
  const auto* value = find(name);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) field_error(name, "must be a string");
  const auto& text = value->get_ref<const std::string&>();
  if (text.size() > max_string_bytes) field_error(name, "is too long");
  return text;
}

std::optional<std::int64_t> body_reader::optional_integer(std::string_view name, std::int64_t min,
                                                          std::int64_t max) const {
  const auto* value = find(name);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number_integer()) field_error(name, "must be an integer");
  if (value->is_number_unsigned() && value->get<std::uint64_t>() > static_cast<std::uint64_t>(max))
    field_error(name, "is out of range");
  const auto number = value->get<std::int64_t>();
  if (number < min || number > max) field_error(name, "is out of range");
  return number;
}

std::optional<bool> body_reader::optional_bool(std::string_view name) const {
  const auto* value = find(name);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) field_error(name, "must be a boolean");
  return value->get<bool>();
}

std::optional<std::vector<std::string>> body_reader::optional_strings(std::string_view name) const {
  const auto* value = find(name);
  if (value == nullptr) return std::nullopt;
  if (!value->is_array() || value->size() > max_list_items) field_error(name, "must be a list of strings");
  std::vector<std::string> out;
  for (const auto& item : *value) {
    if (!item.is_string() || item.get_ref<const std::string&>().size() > max_string_bytes)
      field_error(name, "must be a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<std::int64_t> body_reader::optional_time(std::string_view name) const {
  auto text = optional_string(name);
  if (!text) return std::nullopt;
  auto parsed = rfc3339_parse(*text);
  if (!parsed) field_error(name, "must be an RFC 3339 time");
  return *parsed;
}

const nlohmann::json* body_reader::optional_object(std::string_view name) const {
  const auto* value = find(name);
  if (value != nullptr && !value->is_object()) field_error(name, "must be an object");
  return value;
}

}  // namespace licensor::server
