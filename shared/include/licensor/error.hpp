// The project's one error type. Every fallible function returns result<T> carrying an errc;
// the HTTP API's snake_case error codes map 1:1 from it (errc_code), so a code seen by a
// partner always names exactly one value here.
#pragma once

#include <span>
#include <string_view>
#include <system_error>

namespace licensor {

enum class errc {
  // -- encoding and token format
  malformed = 1,          ///< input is not well-formed (bad base64url, bad JSON, wrong shape)
  wrong_version,          ///< token or PASERK is not v4 / k4 public, or of another purpose
  bad_signature,          ///< an Ed25519 signature did not verify
  unknown_key,            ///< the token's kid is not in the trusted keyring
  revoked_key,            ///< the token's kid is listed as revoked in the keyring
  not_yet_valid,          ///< now is before the token's nbf (beyond leeway)
  expired,                ///< now is after the token's exp (beyond leeway and grace)
  wrong_product,          ///< the license is for another product
  email_mismatch,         ///< the license is bound to another email
  version_not_covered,    ///< the app version is outside min_version..max_version
  fingerprint_mismatch,   ///< the license is bound to another machine
  clock_tampered,         ///< the clock went back further than the leeway
  keyring_bad_signature,  ///< the keyring was not signed by a pinned root key
  keyring_rollback,       ///< the keyring version is lower than one already seen
  // -- keys and files
  wrong_password,         ///< a wrapped secret key did not unwrap with this passphrase
  io_error,               ///< a file could not be read or written
  already_exists,         ///< refused to overwrite an existing file or key
  no_active_key,          ///< the operation would leave the keyring with no active key
  // -- API and domain rules
  bad_request,            ///< the request is malformed, has wrong types or unknown fields
  unauthorized,           ///< missing or bad credentials
  forbidden,              ///< credentials are valid but not for this operation
  not_found,              ///< no such resource (or not visible to this caller)
  method_not_allowed,     ///< the path exists but not with this method
  payload_too_large,      ///< the request body is over the limit
  rate_limited,           ///< too many requests from this client or for this key
  conflict,               ///< the request conflicts with the current state
  idempotency_mismatch,   ///< an Idempotency-Key was reused with a different request
  invalid_email,          ///< the email is not syntactically valid
  email_taken,            ///< another customer already has this email
  customer_not_found,     ///< no such customer for this partner
  partner_not_found,      ///< no such partner
  product_not_found,      ///< no such product
  product_exists,         ///< a product with this id already exists
  tier_not_found,         ///< the product has no such tier
  free_license_exists,    ///< the customer already has a free license for this product
  partner_cap_reached,    ///< the partner's free-license cap for its level is reached
  partner_domain_email,   ///< a free license to an email in the partner's own domain
  partner_not_enabled,    ///< the partner may not issue licenses yet (can_issue is off)
  license_not_found,      ///< no such license for this caller
  license_suspended,      ///< the license is suspended
  license_revoked,        ///< the license is revoked
  license_unlinked,       ///< the license is detached from any customer
  activation_failed,      ///< the activation key and email do not match a license
  storage_full,           ///< the store has no room left (LMDB map full)
  storage_error,          ///< the store failed (LMDB error other than map full)
  schema_too_new,         ///< the data dir was written by a newer Licensor
  // -- subscriptions
  seat_decrease_window_closed,///< the seats to remove were added more than 7 days ago
  cancel_window_closed,   ///< the term started more than 7 days ago
  downgrade_not_allowed,  ///< the target tier is not higher than the current one
  base_not_active,        ///< the add-on's base license is not active
  trial_locked,           ///< seats and status of a trial cannot change
  subscription_not_active,///< the subscription is not active for this change
  not_a_subscription,     ///< the license has no subscription terms
  seats_exhausted,        ///< every seat is assigned to a member
  seats_in_use,           ///< fewer seats than assigned members
  member_exists,          ///< the email already has access to the license
  member_not_found,       ///< no such member
  no_scheduled_change,    ///< the license has no scheduled change
  auto_renew_off,         ///< the change needs auto_renew on
  price_not_found,        ///< the product has no price for the tier
  conversion_not_allowed, ///< the trial cannot convert into that subscription
  invalid_vat_number,     ///< the VAT number has the wrong format
  // -- hardening
  secret_shown_once,      ///< the first answer carried a secret; a replay cannot show it again
  root_key_offline,       ///< the root secret is not on this server: rotate or revoke with licensorctl
  customer_has_licenses,  ///< the customer still has licenses linked to it
  product_policy,         ///< the product's policy does not allow this tier, seat count or feature
  // -- people
  invitation_invalid,     ///< the invitation or reset token is unknown, used or expired
  user_exists,            ///< the organisation already has a user with this email
  weak_password,          ///< the password is too short, too long or not text
  csrf_failed,            ///< a change made with a session cookie lacks its CSRF token or comes from another origin
  totp_required,          ///< the password was right; this account also needs a TOTP or recovery code
  totp_invalid,           ///< the TOTP code is wrong, or its step was used already
  reset_token_invalid,    ///< the password reset token is unknown, used or expired, or its user is not active
  internal,               ///< a bug: an invariant did not hold
};

/// The stable snake_case code of an error, as the API and the CLI print it.
[[nodiscard]] std::string_view errc_code(errc e) noexcept;
/// A one-line, human-readable description of an error.
[[nodiscard]] std::string_view errc_message(errc e) noexcept;
/// Every errc value, in declaration order (for tests and tables).
[[nodiscard]] std::span<const errc> errc_all() noexcept;

[[nodiscard]] const std::error_category& licensor_category() noexcept;
[[nodiscard]] std::error_code make_error_code(errc e) noexcept;

}  // namespace licensor

template <>
struct std::is_error_code_enum<licensor::errc> : std::true_type {};
