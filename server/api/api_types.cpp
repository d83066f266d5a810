#include "api/api_types.hpp"

#include "domain/json_write.hpp"

namespace licensor::server {

std::string json_text(const nlohmann::json& value) { return json_write(value, invalid_utf8::replace); }

unsigned errc_http_status(errc code) noexcept {
  switch (code) {
    case errc::unauthorized:
    case errc::totp_required: return 401;
    case errc::forbidden:
    case errc::csrf_failed:
    case errc::partner_not_enabled: return 403;
    case errc::not_found:
    case errc::customer_not_found:
    case errc::partner_not_found:
    case errc::product_not_found:
    case errc::tier_not_found:
    case errc::license_not_found:
    case errc::member_not_found:
    case errc::no_scheduled_change:
    case errc::unknown_key: return 404;
    case errc::method_not_allowed: return 405;
    case errc::conflict:
    case errc::email_taken:
    case errc::product_exists:
    case errc::idempotency_mismatch:
    case errc::license_suspended:
    case errc::license_revoked:
    case errc::license_unlinked:
    case errc::not_a_subscription:
    case errc::member_exists:
    case errc::secret_shown_once:
    case errc::root_key_offline:
    case errc::customer_has_licenses:
    case errc::user_exists:
    case errc::no_active_key: return 409;
    case errc::payload_too_large: return 413;
    case errc::free_license_exists:
    case errc::partner_cap_reached:
    case errc::partner_domain_email:
    case errc::invalid_email:
    case errc::seat_decrease_window_closed:
    case errc::cancel_window_closed:
    case errc::downgrade_not_allowed:
    case errc::base_not_active:
    case errc::trial_locked:
    case errc::subscription_not_active:
    case errc::seats_exhausted:
    case errc::seats_in_use:
    case errc::auto_renew_off:
    case errc::price_not_found:
    case errc::conversion_not_allowed:
    case errc::invalid_vat_number:
    case errc::product_policy:
    case errc::invitation_invalid:
    case errc::weak_password:
    case errc::totp_invalid:
    case errc::reset_token_invalid:
    case errc::activation_failed: return 422;
    case errc::rate_limited: return 429;
    case errc::storage_full: return 507;
    case errc::internal:
    case errc::storage_error:
    case errc::io_error:
    case errc::schema_too_new:
    case errc::wrong_password: return 500;
    default: return 400;
  }
}

api_response error_response(errc code, std::string_view message) {
  api_response response;
  response.status = errc_http_status(code);
  response.body = {{"error",
                    {{"code", errc_code(code)},
                     {"message", message.empty() ? std::string(errc_message(code)) : std::string(message)}}}};
  return response;
}

api_response error_response(const refusal& error) {
  auto response = error_response(error.code, error.message);
  if (error.retry_after_seconds > 0) response.retry_after_seconds = error.retry_after_seconds;
  return response;
}

}  // namespace licensor::server
