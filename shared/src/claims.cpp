#include "licensor/claims.hpp"

#include <nlohmann/json.hpp>

#include "licensor/app_version.hpp"
#include "licensor/signed_document.hpp"

namespace licensor {
namespace {

using nlohmann::json;

bool read_string(const json& object, const char* name, std::string& out) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

// An optional string claim: absent is fine, present must be a string.
bool read_optional_string(const json& object, const char* name, std::optional<std::string>& out) {
  const auto it = object.find(name);
  if (it == object.end()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

bool read_time(const json& object, const char* name, unix_seconds& out) {
  std::string text;
  if (!read_string(object, name, text)) return false;
  auto parsed = rfc3339_parse(text);
  if (!parsed) return false;
  out = *parsed;
  return true;
}

bool version_ok(const std::optional<std::string>& version) {
  return !version || app_version_compare(*version, "0").ok();
}

}  // namespace

std::string_view license_kind_name(license_kind kind) noexcept {
  switch (kind) {
    case license_kind::free: return "free";
    case license_kind::trial: return "trial";
    case license_kind::paid: return "paid";
  }
  return "paid";
}

result<license_kind> license_kind_parse(std::string_view name) noexcept {
  if (name == "free") return license_kind::free;
  if (name == "trial") return license_kind::trial;
  if (name == "paid") return license_kind::paid;
  return errc::bad_request;
}

std::string claims_to_json(const license_claims& claims) {
  json out = {
      {"iss", claims.iss},
      {"sub", claims.sub},
      {"iat", rfc3339_format(claims.iat)},
      {"nbf", rfc3339_format(claims.nbf)},
      {"product", claims.product},
      {"tier", claims.tier},
      {"kind", license_kind_name(claims.kind)},
      {"email", claims.email},
      {"seats", claims.seats},
      {"features", claims.features},
  };
  if (claims.exp) out["exp"] = rfc3339_format(*claims.exp);
  if (claims.min_version) out["min_version"] = *claims.min_version;
  if (claims.max_version) out["max_version"] = *claims.max_version;
  if (claims.fingerprint) out["fingerprint"] = *claims.fingerprint;
  if (!claims.notices.empty()) out["notice"] = claims.notices;
  return out.dump();
}

result<license_claims> claims_parse(std::string_view text) {
  const auto object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return errc::malformed;
  license_claims claims;
  std::string kind;
  if (!read_string(object, "iss", claims.iss) || !read_string(object, "sub", claims.sub) ||
      !read_time(object, "iat", claims.iat) || !read_time(object, "nbf", claims.nbf) ||
      !read_string(object, "product", claims.product) || !read_string(object, "tier", claims.tier) ||
      !read_string(object, "kind", kind) || !read_string(object, "email", claims.email))
    return errc::malformed;
  auto parsed_kind = license_kind_parse(kind);
  if (!parsed_kind) return errc::malformed;
  claims.kind = *parsed_kind;

  if (object.contains("exp")) {
    unix_seconds exp = 0;
    if (!read_time(object, "exp", exp)) return errc::malformed;
    claims.exp = exp;
  }
  const auto seats = object.find("seats");
  if (seats == object.end() || !seats->is_number_unsigned() || seats->get<std::uint64_t>() > UINT32_MAX)
    return errc::malformed;
  claims.seats = seats->get<std::uint32_t>();

  const auto features = object.find("features");
  if (features == object.end() || !features->is_array()) return errc::malformed;
  for (const auto& feature : *features) {
    if (!feature.is_string()) return errc::malformed;
    claims.features.push_back(feature.get<std::string>());
  }
  if (!read_optional_string(object, "min_version", claims.min_version) ||
      !read_optional_string(object, "max_version", claims.max_version) ||
      !read_optional_string(object, "fingerprint", claims.fingerprint) ||
      !version_ok(claims.min_version) || !version_ok(claims.max_version))
    return errc::malformed;
  if (const auto notices = object.find("notice"); notices != object.end()) {
    if (!notices->is_array()) return errc::malformed;
    for (const auto& notice : *notices) {
      if (!notice.is_string()) return errc::malformed;
      claims.notices.push_back(notice.get<std::string>());
    }
  }
  return claims;
}

std::string license_token_sign(const license_claims& claims, const SecretKey& key) {
  return signed_document_sign(key, claims_to_json(claims), license_assertion);
}

}  // namespace licensor
