#include "licensor/error.hpp"

#include <array>
#include <string>

namespace licensor {
namespace {

struct errc_entry {
  errc value;
  std::string_view code;
  std::string_view message;
};

// Kept in declaration order; tests check that every errc appears exactly once.
constexpr std::array errc_table{
    errc_entry{errc::malformed, "malformed", "input is not well-formed"},
    errc_entry{errc::wrong_version, "wrong_version", "not a v4.public token or k4 key of the expected purpose"},
    errc_entry{errc::bad_signature, "bad_signature", "signature does not verify"},
    errc_entry{errc::unknown_key, "unknown_key", "signing key is not in the trusted keyring"},
    errc_entry{errc::revoked_key, "revoked_key", "signing key has been revoked"},
    errc_entry{errc::not_yet_valid, "not_yet_valid", "license is not valid yet"},
    errc_entry{errc::expired, "expired", "license has expired"},
    errc_entry{errc::wrong_product, "wrong_product", "license is for another product"},
    errc_entry{errc::email_mismatch, "email_mismatch", "license is bound to another email"},
    errc_entry{errc::version_not_covered, "version_not_covered", "license does not cover this app version"},
    errc_entry{errc::fingerprint_mismatch, "fingerprint_mismatch", "license is bound to another machine"},
    errc_entry{errc::clock_tampered, "clock_tampered", "the system clock went backwards"},
    errc_entry{errc::keyring_bad_signature, "keyring_bad_signature", "keyring is not signed by a pinned root key"},
    errc_entry{errc::keyring_rollback, "keyring_rollback", "keyring version is older than one already seen"},
    errc_entry{errc::wrong_password, "wrong_password", "wrong passphrase or corrupted wrapped key"},
    errc_entry{errc::io_error, "io_error", "file could not be read or written"},
    errc_entry{errc::already_exists, "already_exists", "refusing to overwrite an existing file"},
    errc_entry{errc::no_active_key, "no_active_key", "the keyring would have no active signing key"},
    errc_entry{errc::bad_request, "bad_request", "request is malformed"},
    errc_entry{errc::unauthorized, "unauthorized", "missing or invalid credentials"},
    errc_entry{errc::forbidden, "forbidden", "not allowed for these credentials"},
    errc_entry{errc::not_found, "not_found", "no such resource"},
    errc_entry{errc::method_not_allowed, "method_not_allowed", "method not allowed on this path"},
    errc_entry{errc::payload_too_large, "payload_too_large", "request body is too large"},
    errc_entry{errc::rate_limited, "rate_limited", "too many requests; retry later"},
    errc_entry{errc::conflict, "conflict", "request conflicts with the current state"},
    errc_entry{errc::idempotency_mismatch, "idempotency_mismatch", "Idempotency-Key reused with a different request"},
    errc_entry{errc::invalid_email, "invalid_email", "email address is not valid"},
    errc_entry{errc::email_taken, "email_taken", "a customer with this email already exists"},
    errc_entry{errc::customer_not_found, "customer_not_found", "no such customer"},
    errc_entry{errc::partner_not_found, "partner_not_found", "no such partner"},
    errc_entry{errc::product_not_found, "product_not_found", "no such product"},
    errc_entry{errc::product_exists, "product_exists", "a product with this id already exists"},
    errc_entry{errc::tier_not_found, "tier_not_found", "no such tier for this product"},
    errc_entry{errc::free_license_exists, "free_license_exists", "customer already has a free license for this product"},
    errc_entry{errc::partner_cap_reached, "partner_cap_reached", "partner has reached its free-license cap"},
    errc_entry{errc::partner_domain_email, "partner_domain_email", "free licenses cannot go to the partner's own domain"},
    errc_entry{errc::partner_not_enabled, "partner_not_enabled", "partner is not enabled to issue licenses"},
    errc_entry{errc::license_not_found, "license_not_found", "no such license"},
    errc_entry{errc::license_suspended, "license_suspended", "license is suspended"},
    errc_entry{errc::license_revoked, "license_revoked", "license is revoked"},
    errc_entry{errc::license_unlinked, "license_unlinked", "license is not linked to a customer"},
    errc_entry{errc::activation_failed, "activation_failed", "activation key and email do not match"},
    errc_entry{errc::storage_full, "storage_full", "storage is full"},
    errc_entry{errc::storage_error, "storage_error", "storage failure"},
    errc_entry{errc::schema_too_new, "schema_too_new", "data was written by a newer version"},
    errc_entry{errc::seat_decrease_window_closed, "seat_decrease_window_closed", "seats can be removed only within 7 days of being added"},
    errc_entry{errc::cancel_window_closed, "cancel_window_closed", "cancellation is possible only within 7 days of the term's start"},
    errc_entry{errc::downgrade_not_allowed, "downgrade_not_allowed", "upgrades go only to a higher-ranked tier"},
    errc_entry{errc::base_not_active, "base_not_active", "the base license is not an active subscription"},
    errc_entry{errc::trial_locked, "trial_locked", "seat and status changes are locked during a trial"},
    errc_entry{errc::subscription_not_active, "subscription_not_active", "the subscription is not active"},
    errc_entry{errc::not_a_subscription, "not_a_subscription", "the license is not a subscription"},
    errc_entry{errc::seats_exhausted, "seats_exhausted", "no free seat left for another member"},
    errc_entry{errc::seats_in_use, "seats_in_use", "seats cannot go below the number of assigned members"},
    errc_entry{errc::member_exists, "member_exists", "the email is already a member"},
    errc_entry{errc::member_not_found, "member_not_found", "no such member of this license"},
    errc_entry{errc::no_scheduled_change, "no_scheduled_change", "no scheduled change to remove"},
    errc_entry{errc::auto_renew_off, "auto_renew_off", "scheduled changes need an active license with auto_renew on"},
    errc_entry{errc::price_not_found, "price_not_found", "the product has no price for this tier"},
    errc_entry{errc::conversion_not_allowed, "conversion_not_allowed", "the trial cannot convert into that subscription"},
    errc_entry{errc::invalid_vat_number, "invalid_vat_number", "VAT number format is not valid"},
    errc_entry{errc::secret_shown_once, "secret_shown_once", "the first answer carried a secret that is shown only once"},
    errc_entry{errc::root_key_offline, "root_key_offline", "the root secret key is kept offline; use licensorctl where it is"},
    errc_entry{errc::customer_has_licenses, "customer_has_licenses", "the customer still has licenses"},
    errc_entry{errc::product_policy, "product_policy", "the product's policy does not allow this license"},
    errc_entry{errc::invitation_invalid, "invitation_invalid", "the invitation is unknown, used or expired"},
    errc_entry{errc::user_exists, "user_exists", "the organisation already has a user with this email"},
    errc_entry{errc::weak_password, "weak_password", "the password must be text of at least 12 characters and at most 256 bytes"},
    errc_entry{errc::csrf_failed, "csrf_failed", "a change made with a session cookie needs its CSRF token and this origin"},
    errc_entry{errc::totp_required, "totp_required", "this account needs a TOTP code or a recovery code too"},
    errc_entry{errc::totp_invalid, "totp_invalid", "the code is wrong or was used already"},
    errc_entry{errc::reset_token_invalid, "reset_token_invalid", "the password reset token is unknown, used or expired"},
    errc_entry{errc::internal, "internal", "internal error"},
};

constexpr std::array<errc, errc_table.size()> all_values = [] {
  std::array<errc, errc_table.size()> out{};
  for (std::size_t i = 0; i < errc_table.size(); ++i) out[i] = errc_table[i].value;
  return out;
}();

const errc_entry* find_entry(errc e) noexcept {
  const auto index = static_cast<std::size_t>(e) - 1;
  if (index < errc_table.size() && errc_table[index].value == e) return &errc_table[index];
  return nullptr;
}

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "licensor"; }
  std::string message(int value) const override {
    return std::string(errc_message(static_cast<errc>(value)));
  }
};

}  // namespace

std::string_view errc_code(errc e) noexcept {
  const auto* entry = find_entry(e);
  return entry ? entry->code : "internal";
}

std::string_view errc_message(errc e) noexcept {
  const auto* entry = find_entry(e);
  return entry ? entry->message : "unknown error";
}

std::span<const errc> errc_all() noexcept { return all_values; }

const std::error_category& licensor_category() noexcept {
  static const category instance;
  return instance;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), licensor_category()};
}

}  // namespace licensor
