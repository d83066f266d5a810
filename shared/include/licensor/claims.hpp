// The license claims model (DESIGN.md section 2) and its JSON form, the payload of a
// license token. Parsing is strict: required claims present with the right types, times in
// RFC 3339, unknown claims ignored so newer servers can add claims old verifiers skip.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "licensor/key_types.hpp"
#include "licensor/result.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor {

enum class license_kind { free, trial, paid };

[[nodiscard]] std::string_view license_kind_name(license_kind kind) noexcept;
/// Errors: bad_request for anything but "free", "trial", "paid".
[[nodiscard]] result<license_kind> license_kind_parse(std::string_view name) noexcept;

struct license_claims {
  std::string iss;                   ///< issuer (the server's name)
  std::string sub;                   ///< license id
  unix_seconds iat = 0;              ///< issued at
  unix_seconds nbf = 0;              ///< not before
  std::optional<unix_seconds> exp;   ///< expiry; absent means perpetual
  std::string product;
  std::string tier;
  license_kind kind = license_kind::paid;
  std::string email;                 ///< normalised customer (or member) email
  std::uint32_t seats = 1;
  std::vector<std::string> features;
  std::optional<std::string> min_version;
  std::optional<std::string> max_version;
  std::optional<std::string> fingerprint;
  /// Claim `notice` (absent when empty): what the app should show its user about the license,
  /// as stable codes (e.g. the registration rules a compliance sweep found broken; the token's
  /// `exp` is then the deadline to fix them).
  std::vector<std::string> notices{};

  friend bool operator==(const license_claims&, const license_claims&) = default;
};

[[nodiscard]] std::string claims_to_json(const license_claims& claims);
/// Errors: malformed (not a JSON object, a missing claim, a wrong type, a bad time or version).
[[nodiscard]] result<license_claims> claims_parse(std::string_view json);

/// Signs claims into a license token (implicit assertion licensor:license:v1).
[[nodiscard]] std::string license_token_sign(const license_claims& claims, const SecretKey& key);

}  // namespace licensor
