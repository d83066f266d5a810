// JSON views of stored records, as the API shows them (times in RFC 3339): the same objects
// go into events (core/events.hpp), so a webhook receiver sees what an API client sees.
#pragma once

#include <nlohmann/json.hpp>

#include "core/partners.hpp"
#include "domain/json_fields.hpp"
#include "domain/records.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// An empty text shows as null.
[[nodiscard]] nlohmann::json text_or_null(const std::string& text);
/// An unset time (0) shows as null, a set one in RFC 3339.
[[nodiscard]] nlohmann::json time_or_null(std::int64_t at);

[[nodiscard]] nlohmann::json partner_view(const partner_record& partner);
/// {"free_licenses_used", "free_license_cap"}: where a partner stands against its level's cap.
[[nodiscard]] nlohmann::json usage_view(const partner_usage& usage);
/// One attempt of a delivery log (a webhook endpoint's, or mail's with its recipient).
[[nodiscard]] nlohmann::json delivery_attempt_view(const store::delivery_attempt& attempt);
[[nodiscard]] nlohmann::json customer_view(const customer_record& customer);
/// Shows the policy in force for free and trial licenses (the defaults where none was set).
[[nodiscard]] nlohmann::json product_view(const product_record& product);
/// What anyone holding a token or an activation key may learn about its license: also the
/// notices an app shows (the registration rules a compliance sweep found broken) and their
/// deadline. Declared as a record, so that validation, the hottest answer, writes it straight to
/// text (json_write_record) and every other answer builds it as nlohmann::json, from one member
/// list: the two are the same text.
struct license_public {
  std::string id;
  std::string product;
  std::string tier;
  license_kind kind = license_kind::paid;
  license_status status = license_status::active;
  std::uint32_t seats = 0;
  std::vector<std::string> features;
  nlohmann::json expires_at;        ///< RFC 3339, or null: perpetual
  std::vector<std::string> notices;
  nlohmann::json notices_deadline;  ///< RFC 3339 while notices stand, else null
};
LICENSOR_JSON_FIELDS(license_public, id, product, tier, kind, status, seats, features, expires_at, notices,
                     notices_deadline)
[[nodiscard]] license_public license_public_of(const license_record& license);
/// nlohmann::json(license_public_of(license)).
[[nodiscard]] nlohmann::json license_public_view(const license_record& license);
/// Includes the token and activation key: only ever shown to the managing partner or an operator;
/// also the app version last seen and the compliance finding (core/compliance.hpp).
[[nodiscard]] nlohmann::json license_view(const license_record& license);

}  // namespace licensor::server
