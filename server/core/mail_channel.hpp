// Mail as a delivery channel of the outbox: one endpoint, id mail_channel_id, channel "mail",
// that takes the events mail is written for (core/mail_compose.hpp) with the same cursor,
// per-subject order, retries and delivery log as a webhook endpoint (core/webhook_delivery.hpp).
// It is never disabled: while no SMTP server or no sender is configured, its mail waits in the
// outbox, and health says so.
//
// Operators manage the mail settings and replace templates (core/mail_templates.hpp); both are
// audited.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/caller.hpp"
#include "core/mail_templates.hpp"
#include "domain/records.hpp"
#include "store/store.hpp"

namespace licensor::server {

inline constexpr std::string_view mail_channel_id = "mail";

/// Creates the mail channel if the store has none, taking events from the newest on (mail is not
/// written for what happened before). Throws refusal on store errors.
void mail_channel_ensure(store::write_view& write, std::int64_t now);

/// Where mail stands, for health and the settings' view.
struct mail_status {
  bool smtp_configured = false;   ///< the server was given an SMTP URL
  bool sender_set = false;        ///< the settings name a sender
  std::uint64_t behind = 0;       ///< events the channel has not taken yet
  std::size_t waiting = 0;        ///< letters waiting for a retry (counted up to 100)
  std::int64_t failing_since = 0; ///< the first failure since the last success; 0 when healthy
  [[nodiscard]] bool sending() const { return smtp_configured && sender_set; }
};
[[nodiscard]] mail_status mail_status_of(const store::read_view& view, bool smtp_configured);
/// As health and the settings show it: "state" is sending, failing (the server refuses or cannot
/// be reached), waiting_for_smtp (no server configured) or waiting_for_sender (no sender set).
[[nodiscard]] nlohmann::json mail_status_view(const mail_status& status);

/// The settings' fields to change; those not given stay. Addresses are checked and normalised.
struct mail_settings_changes {
  std::optional<std::string> sender, sender_name, reply_to, operator_email, portal_url;
};

/// Changes the settings. Throws bad_request (an address that is not one, a portal URL that is
/// not https://).
[[nodiscard]] mail_settings_record mail_settings_update(store::write_view& write, const caller& who,
                                                        const mail_settings_changes& changes, std::int64_t now);

/// Replaces template (name, language), checked against its kind. Throws not_found (no such kind
/// or language), bad_request (mail_template_check).
[[nodiscard]] mail_template_record mail_template_replace(store::write_view& write, const caller& who, std::string_view name,
                                                         std::string_view language, const mail_template& replacement,
                                                         std::int64_t now);

/// Goes back to the built-in template. Throws not_found (no such kind or language, or nothing replaced).
void mail_template_restore(store::write_view& write, const caller& who, std::string_view name, std::string_view language,
                           std::int64_t now);

/// Throws not_found unless `name` is a kind of letter and `language` one mail is written in.
[[nodiscard]] const mail_template_kind& mail_template_kind_or_refuse(std::string_view name, std::string_view language);

/// The mail delivery log, newest first (a letter per attempt: recipient, SMTP reply, error).
[[nodiscard]] store::page<store::delivery_attempt> mail_deliveries(const store::read_view& view,
                                                                   const store::page_request& page);

}  // namespace licensor::server
