#include "domain/records.hpp"

#include <array>
#include <utility>

namespace licensor {

void to_json(nlohmann::json& json, license_kind kind) { json = license_kind_name(kind); }

void from_json(const nlohmann::json& json, license_kind& kind) {
  auto parsed = license_kind_parse(json.get<std::string>());
  if (!parsed) throw nlohmann::json::type_error::create(302, "not a license kind: " + json.dump(), &json);
  kind = *parsed;
}

}  // namespace licensor

namespace licensor::server {
namespace {

constexpr std::array<std::pair<license_status, std::string_view>, 5> status_names{{
    {license_status::active, "active"},
    {license_status::suspended, "suspended"},
    {license_status::revoked, "revoked"},
    {license_status::expired, "expired"},
    {license_status::cancelled, "cancelled"},
}};

}  // namespace

std::string_view license_status_name(license_status status) noexcept {
  for (const auto& [value, name] : status_names)
    if (value == status) return name;
  return "active";  // unreachable: every enumerator is listed
}

std::optional<license_status> license_status_parse(std::string_view name) noexcept {
  for (const auto& [value, known] : status_names)
    if (known == name) return value;
  return std::nullopt;
}

void to_json(nlohmann::json& json, license_status status) { json = license_status_name(status); }

void from_json(const nlohmann::json& json, license_status& status) {
  auto parsed = license_status_parse(json.get<std::string>());
  if (!parsed) throw nlohmann::json::type_error::create(302, "not a license status: " + json.dump(), &json);
  status = *parsed;
}

std::string_view campaign_status_name(campaign_status status) noexcept {
  switch (status) {
    case campaign_status::draft: return "draft";
    case campaign_status::running: return "running";
    case campaign_status::open: return "open";
  }
  return "unknown";
}

void to_json(nlohmann::json& json, campaign_status status) { json = campaign_status_name(status); }

void from_json(const nlohmann::json& json, campaign_status& status) {
  const auto name = json.get<std::string>();
  for (const auto known : {campaign_status::draft, campaign_status::running, campaign_status::open}) {
    if (campaign_status_name(known) == name) {
      status = known;
      return;
    }
  }
  throw nlohmann::json::type_error::create(302, "not a campaign status: " + json.dump(), &json);
}

}  // namespace licensor::server
