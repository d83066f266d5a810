// Strict reading of a JSON request body: only the named fields may appear, each with its
// type. Failures throw refusal(bad_request) naming the field, so a partner sees exactly
// what to fix.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace licensor::server {

/// True when `text` is an app version as licenses name them ("20", "20.1.3": licensor/app_version.hpp)
/// of at most 64 characters.
[[nodiscard]] bool app_version_well_formed(std::string_view text);

class body_reader {
 public:
  /// `allowed` lists every field the endpoint knows; any other field is refused.
  body_reader(const nlohmann::json& body, std::initializer_list<std::string_view> allowed);

  [[nodiscard]] std::string string(std::string_view name) const;
  [[nodiscard]] std::optional<std::string> optional_string(std::string_view name) const;
  [[nodiscard]] std::optional<std::int64_t> optional_integer(std::string_view name, std::int64_t min,
                                                             std::int64_t max) const;
  [[nodiscard]] std::optional<bool> optional_bool(std::string_view name) const;
  [[nodiscard]] std::optional<std::vector<std::string>> optional_strings(std::string_view name) const;
  /// An optional RFC 3339 time, as Unix seconds.
  [[nodiscard]] std::optional<std::int64_t> optional_time(std::string_view name) const;
  [[nodiscard]] const nlohmann::json* optional_object(std::string_view name) const;
  /// An optional app version (app_version_well_formed).
  [[nodiscard]] std::optional<std::string> optional_app_version(std::string_view name) const;

 private:
  [[nodiscard]] const nlohmann::json* find(std::string_view name) const;
  const nlohmann::json& body_;
};

}  // namespace licensor::server
