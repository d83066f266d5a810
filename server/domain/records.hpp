// What the server stores: partners, API keys, customers, products and licenses. Records are
// kept as JSON in LMDB; times are Unix seconds (the API shows them as RFC 3339).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/json_fields.hpp"
#include "licensor/claims.hpp"

namespace licensor {

// License kinds are stored by name (shared's license_kind_name); a name the store does not know
// fails to decode (a damaged record), never silently becomes another kind.
void to_json(nlohmann::json& json, license_kind kind);
void from_json(const nlohmann::json& json, license_kind& kind);

}  // namespace licensor

namespace licensor::server {

/// Where a license stands. Subscriptions also reach expired (term over, not renewed) and
/// cancelled; revoked is final. Stored and shown by name.
enum class license_status { active, suspended, revoked, expired, cancelled };

[[nodiscard]] std::string_view license_status_name(license_status status) noexcept;
[[nodiscard]] std::optional<license_status> license_status_parse(std::string_view name) noexcept;
void to_json(nlohmann::json& json, license_status status);
/// Throws nlohmann::json::type_error for a name that is not a status.
void from_json(const nlohmann::json& json, license_status& status);

struct partner_record {
  std::string id;
  std::string name;
  std::string level = "bronze";
  std::vector<std::string> email_domains;  ///< normalised, lower-case
  bool can_issue = false;
  int discount_percent = 0;
  std::int64_t created_at = 0;
  // Mail (core/mail_compose.hpp). Partners stored before it existed decode with no address.
  std::string notification_email{};  ///< normalised; where the partner's own and its customers' mail goes
  std::string language = "en";      ///< of mail to the partner (en, es, it)
  bool deliver_at_issuance = false; ///< e-mail the delivery letter when a license is issued, unless the issuer says otherwise
  std::int64_t enabling_requested_at = 0;  ///< when it last asked to be enabled; 0: never
  // Its last request to be enabled (core/partners.hpp), and the operators' answer.
  std::string enabling_status{};           ///< "", "pending", "approved" or "refused"
  std::string enabling_message{};          ///< what the partner wrote
  std::string enabling_requested_by{};     ///< who asked (an email, or a key's caller id)
  std::string enabling_reply{};            ///< what the operator answered
  std::int64_t enabling_decided_at = 0;
};

struct api_key_record {
  std::string id;          ///< public handle of the key ("key_…"); the secret is never stored
  std::string partner_id;  ///< empty for an operator key
  std::int64_t created_at = 0;
  bool revoked = false;
  /// A role of the key's organisation kind (domain/permissions.hpp). Keys made before roles
  /// existed decode as their organisation's top role, which is what they could do.
  std::string role;
  std::string name;
  std::int64_t expires_at = 0;    ///< 0: never
  std::int64_t last_used_at = 0;  ///< to the minute (core/credentials.hpp)
  std::string created_by;         ///< who made it (a caller id)
};

/// A person who signs in: one of the vendor's operators, one of a partner's staff, or one of a
/// customer's people. Unique by (organisation, email). Statuses: invited (no password yet),
/// active, disabled.
struct user_record {
  std::string id;              ///< "usr_…"
  std::string partner_id;      ///< the partner whose staff they are, or whose customer's; empty for an operator
  std::string customer_id;     ///< the customer whose people they are; empty for operators and partners' staff
  std::string email;           ///< normalised
  std::string name;
  std::string role;            ///< a role of their organisation kind (domain/permissions.hpp)
  std::string status = "invited";
  std::string language = "en";
  std::string password_hash;   ///< Argon2id (domain/password.hpp); empty until the invitation is accepted
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::int64_t password_changed_at = 0;
  std::string invited_by;      ///< a caller id
  // The second factor (core/two_factor.hpp). Users stored before it existed decode with it off.
  std::string totp_secret;          ///< base32 (domain/totp.hpp); empty: TOTP is off
  std::string totp_pending_secret;  ///< an enrolment started and not yet confirmed
  std::int64_t totp_last_step = -1; ///< the step of the last code accepted, so no code is used twice
  std::vector<std::string> recovery_code_hashes;  ///< hash_hex of each unused code's normalised form
  /// hash_hex of the device cookies this person signed in with (core/devices.hpp), newest last.
  std::vector<std::string> device_hashes;
  std::string password_reset_hash;  ///< the live reset token's hash, so that a new one replaces it
};

/// The organisation a user belongs to: their customer, else their partner, else "" (the operators).
[[nodiscard]] inline const std::string& user_organisation(const user_record& user) {
  return user.customer_id.empty() ? user.partner_id : user.customer_id;
}

/// A signed-in person's session, stored under the hash of its cookie's secret.
struct session_record {
  std::string id;          ///< public handle "ses_…" (to list and revoke); not the secret
  std::string user_id;
  std::string csrf_token;  ///< sent back in X-CSRF-Token on every change made with the cookie
  std::int64_t created_at = 0;
  std::int64_t last_seen_at = 0;  ///< to the minute
  std::int64_t expires_at = 0;    ///< absolute expiry
  std::string client;             ///< address it signed in from
  std::string user_agent;
};

/// An organisation's sign-in policy (the operators', or a partner's), stored by the
/// organisation's partner id (empty: the operators). Never set: everything off.
struct organisation_security_record {
  bool require_totp = false;  ///< people without TOTP may only enrol it (core/organisation_security.hpp)
  std::int64_t updated_at = 0;
  std::string updated_by;     ///< a caller id
};

/// A single-use token sent to a person (an invitation, a password reset), stored by its hash.
struct user_token_record {
  std::string user_id;
  std::string purpose;  ///< "invitation" or "password_reset"
  std::int64_t expires_at = 0;
};

struct customer_record {
  std::string id;
  std::string partner_id;  ///< the managing partner
  std::string email;       ///< normalised; unique across the store
  std::string name;
  std::string vat_number;  ///< optional; normalised (upper case, no spaces); EU numbers format-checked
  std::int64_t created_at = 0;
  bool self_service = false;  ///< the partner lets the customer's people manage its subscriptions
  /// Customer-facing mail (delivery letters, reminders) goes to the customer's email when set,
  /// else to its partner's notification_email (core/mail_compose.hpp).
  bool manages_own_notifications = false;
  std::string language = "en";  ///< of mail to the customer and its members (en, es, it)
  std::string address{};        ///< postal address, as the partner writes it (optional)
};

/// A tier's subscription prices in integer minor units of `currency` (e.g. cents of EUR).
struct tier_price {
  std::string currency;
  std::int64_t seat_month = 0;  ///< per seat and month (monthly terms)
  std::int64_t seat_year = 0;   ///< per seat and year (annual terms)
};

/// What licenses of one kind (free or trial) of a product may grant. Stored complete: the
/// operator's fields with the defaults filled in when the policy was set.
struct kind_policy {
  std::vector<std::string> tiers;     ///< the tiers allowed; empty: none (the kind is not offered)
  std::uint32_t max_seats = 1;
  std::vector<std::string> features;  ///< the features allowed at every allowed tier
  /// Features allowed only at a tier (e.g. {"pro": ["export"]}), on top of `features`.
  std::map<std::string, std::vector<std::string>> tier_features;
};

struct product_record {
  std::string id;
  std::string name;
  std::vector<std::string> tiers;                  ///< ordered, lowest first
  std::map<std::string, std::string> min_version;  ///< per license kind, e.g. {"free": "20"}
  /// Per license kind: from when the compliance sweep holds licenses already issued to
  /// min_version (by the version their app was seen on); a kind not set: never.
  std::map<std::string, std::int64_t> min_version_from{};
  std::map<std::string, tier_price> prices;        ///< per tier; subscriptions need one
  /// Per license kind ("free", "trial"); a kind not set (and every product stored before
  /// policies existed) has the defaults of domain/product_policy.hpp.
  std::map<std::string, kind_policy> policy;
  std::int64_t created_at = 0;
};

/// A free license's registration rules found broken by the compliance sweep
/// (core/compliance.hpp). No rules: the license is compliant (or was never found otherwise).
struct compliance_finding {
  std::vector<std::string> rules;  ///< the broken rules' codes (domain/compliance.hpp), sorted
  std::int64_t since = 0;          ///< when they were first found
  std::int64_t deadline = 0;       ///< the license expires then unless its registration is fixed
  bool deadline_warned = false;    ///< "license.compliance_deadline_near" was written
  [[nodiscard]] bool flagged() const { return !rules.empty(); }
  friend bool operator==(const compliance_finding&, const compliance_finding&) = default;
};

/// A version of the app higher than every one seen before on a license, and when it was first
/// seen: the list of them answers "was the app seen on version V or later by date D" (the first
/// entry at or above V) without keeping every version ever sent.
struct app_version_high {
  std::string version;
  std::int64_t at = 0;
  friend bool operator==(const app_version_high&, const app_version_high&) = default;
};

struct license_record {
  std::string id;
  std::string partner_id;
  std::string customer_id;  ///< empty once unlinked
  std::string email;        ///< the email the token is bound to
  std::string product;
  std::string tier;
  license_kind kind = license_kind::paid;
  license_status status = license_status::active;
  std::uint32_t seats = 1;
  std::vector<std::string> features;
  std::string min_version;
  std::string fingerprint;
  std::string activation_key;
  std::string token;        ///< the current signed token
  std::string kid;          ///< the key that signed it
  std::int64_t issued_at = 0;
  std::int64_t expires_at = 0;  ///< 0: perpetual
  std::int64_t updated_at = 0;
  /// Free licenses: when the latest token handed out expires (0: signed before free tokens expired).
  std::int64_t token_expires_at = 0;
  /// The app version last sent with an activation or a validation, and when (kept to the day:
  /// core/activation.hpp).
  std::string app_version_seen{};
  std::int64_t app_version_seen_at = 0;
  compliance_finding compliance{};
  /// Ascending; at most app_version_highs_kept (domain/campaigns.hpp), the oldest dropped first.
  std::vector<app_version_high> app_version_highs{};
  /// The campaigns (core/campaigns.hpp) that admitted the license, in the order they did.
  std::vector<std::string> campaigns{};
};

/// What a compliance sweep did (core/compliance.hpp).
struct compliance_counts {
  std::uint64_t checked = 0;  ///< free licenses looked at
  std::uint64_t flagged = 0;  ///< newly flagged, or flagged for other rules
  std::uint64_t warned = 0;
  std::uint64_t cleared = 0;
  std::uint64_t expired = 0;
  std::uint64_t admitted = 0;  ///< to an open campaign (core/campaigns.hpp)
  friend bool operator==(const compliance_counts&, const compliance_counts&) = default;
};

/// Where the compliance sweep stands (one per store).
struct compliance_sweep_record {
  bool running = false;
  bool requested = false;         ///< an operator asked for a sweep: it starts at the next pass
  std::string cursor;             ///< the running sweep's position in the licenses
  std::int64_t started_at = 0;    ///< of the running sweep, or the last one
  std::int64_t finished_at = 0;   ///< of the last complete sweep
  std::int64_t next_check_at = 0; ///< the earliest warning or deadline of a flagged license (0: none)
  std::int64_t first_pass_at = 0; ///< when the job first ran on this store: the first sweep is an interval later
  compliance_counts current;      ///< of the running sweep
  compliance_counts last;         ///< of the last complete sweep
};

/// What a campaign asks of a free license of its product (each condition unset admits all).
struct campaign_conditions {
  bool registered_correctly = true;  ///< no registration rule broken (domain/compliance.hpp)
  std::int64_t issued_before = 0;    ///< issued strictly before this; 0: any time
  std::string min_version_seen;      ///< the app was seen on this version or later ...
  std::int64_t seen_by = 0;          ///< ... by this time; 0: by the time it is judged
};

enum class campaign_status {
  draft,    ///< defined; dry runs only
  running,  ///< its run goes through every license, batch by batch
  open,     ///< ran; the compliance sweep admits licenses that qualify later, until closes_at
};

[[nodiscard]] std::string_view campaign_status_name(campaign_status status) noexcept;
void to_json(nlohmann::json& json, campaign_status status);
/// Throws nlohmann::json::type_error for a name that is not a campaign status.
void from_json(const nlohmann::json& json, campaign_status& status);

/// An operator's extension of free licenses (core/campaigns.hpp).
struct campaign_record {
  std::string id;    ///< "cmp_…"
  std::string name;
  std::string product;
  std::int64_t extend_to = 0;  ///< an admitted license expires no earlier than this
  std::int64_t closes_at = 0;  ///< no license is admitted from then on
  campaign_conditions conditions{};
  campaign_status status = campaign_status::draft;
  std::string cursor{};        ///< the run's position in the licenses
  std::uint64_t checked = 0;   ///< licenses of the product the run looked at
  std::uint64_t admitted = 0;  ///< by the run, then by sweeps
  std::int64_t created_at = 0;
  std::string created_by{};
  std::int64_t started_at = 0;
  std::int64_t finished_at = 0;  ///< when the run went through the last license
};

/// A URL that receives events as Standard Webhooks (core/webhooks.hpp). An operator's endpoint
/// (empty partner_id) hears every partner's events; a partner's, only its own.
struct webhook_endpoint_record {
  std::string id;                       ///< "whe_…"
  std::string partner_id;               ///< empty for an operator's endpoint
  std::string url;
  std::string description;
  std::vector<std::string> event_types; ///< "license.issued", "license.*"; empty: every type
  bool enabled = true;
  std::string disabled_reason;          ///< "gone" (answered 410), "failing" (5 days), "owner"
  std::string secret;                   ///< "whsec_…": signs every delivery
  std::string previous_secret;          ///< still signs, beside `secret`, until previous_secret_until
  std::int64_t previous_secret_until = 0;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::string created_by;               ///< a caller id
  std::uint64_t cursor = 0;             ///< the outbox seq up to which this endpoint has taken events
  std::int64_t failing_since = 0;       ///< the first failure since the last success; 0 when healthy
  std::int64_t last_success_at = 0;
  /// "webhook", or "mail": the one endpoint (id mail_channel_id) whose deliveries are e-mails
  /// (core/mail_channel.hpp). It is never listed, changed or disabled as a webhook.
  std::string channel = "webhook";
};

/// An operator's replacement for a built-in mail template (core/mail_templates.hpp).
struct mail_template_record {
  std::string name;      ///< "delivery_letter", ...
  std::string language;  ///< "en", "es", "it"
  std::string subject;
  std::string text;      ///< the plain-text part
  std::string html;      ///< the HTML part: a fragment that goes inside <body>
  std::int64_t updated_at = 0;
  std::string updated_by;  ///< a caller id
};

/// How mail is sent, as operators set it (the SMTP server and its password are configuration:
/// app/config.hpp).
struct mail_settings_record {
  std::string sender;          ///< the From address; mail waits until one is set
  std::string sender_name;
  std::string reply_to;
  std::string operator_email;  ///< where mail to the vendor's operators goes; empty: none is sent
  std::string portal_url;      ///< "https://licensing.example.com": links in invitations; empty: codes only
  std::int64_t updated_at = 0;
  std::string updated_by;
};

LICENSOR_JSON_FIELDS(partner_record, id, name, level, email_domains, can_issue,
                     discount_percent, created_at, notification_email, language,
                     deliver_at_issuance, enabling_requested_at, enabling_status,
                     enabling_message, enabling_requested_by, enabling_reply,
                     enabling_decided_at)
LICENSOR_JSON_FIELDS(webhook_endpoint_record, id, partner_id, url, description, event_types,
                     enabled, disabled_reason, secret, previous_secret, previous_secret_until,
                     created_at, updated_at, created_by, cursor, failing_since, last_success_at,
                     channel)
LICENSOR_JSON_FIELDS(mail_template_record, name, language, subject, text, html, updated_at,
                     updated_by)
LICENSOR_JSON_FIELDS(mail_settings_record, sender, sender_name, reply_to, operator_email,
                     portal_url, updated_at, updated_by)
LICENSOR_JSON_FIELDS(api_key_record, id, partner_id, created_at, revoked, role, name, expires_at,
                     last_used_at, created_by)
LICENSOR_JSON_FIELDS(user_record, id, partner_id, customer_id, email, name, role, status, language,
                     password_hash, created_at, updated_at, password_changed_at, invited_by,
                     totp_secret, totp_pending_secret, totp_last_step, recovery_code_hashes,
                     device_hashes, password_reset_hash)
LICENSOR_JSON_FIELDS(organisation_security_record, require_totp, updated_at, updated_by)
LICENSOR_JSON_FIELDS(session_record, id, user_id, csrf_token, created_at, last_seen_at,
                     expires_at, client, user_agent)
LICENSOR_JSON_FIELDS(user_token_record, user_id, purpose, expires_at)
LICENSOR_JSON_FIELDS(customer_record, id, partner_id, email, name, vat_number,
                     created_at, self_service, manages_own_notifications, language, address)
LICENSOR_JSON_FIELDS(tier_price, currency, seat_month, seat_year)
LICENSOR_JSON_FIELDS(kind_policy, tiers, max_seats, features, tier_features)
LICENSOR_JSON_FIELDS(product_record, id, name, tiers, min_version, prices, policy,
                     created_at, min_version_from)
LICENSOR_JSON_FIELDS(compliance_finding, rules, since, deadline, deadline_warned)
LICENSOR_JSON_FIELDS(app_version_high, version, at)
LICENSOR_JSON_FIELDS(license_record, id, partner_id, customer_id, email, product,
                     tier, kind, status, seats, features, min_version,
                     fingerprint, activation_key, token, kid, issued_at,
                     expires_at, updated_at, token_expires_at, app_version_seen,
                     app_version_seen_at, compliance, app_version_highs, campaigns)
LICENSOR_JSON_FIELDS(compliance_counts, checked, flagged, warned, cleared, expired, admitted)
LICENSOR_JSON_FIELDS(compliance_sweep_record, running, requested, cursor, started_at,
                     finished_at, next_check_at, first_pass_at, current, last)
LICENSOR_JSON_FIELDS(campaign_conditions, registered_correctly, issued_before,
                     min_version_seen, seen_by)
LICENSOR_JSON_FIELDS(campaign_record, id, name, product, extend_to, closes_at, conditions,
                     status, cursor, checked, admitted, created_at, created_by,
                     started_at, finished_at)

}  // namespace licensor::server
