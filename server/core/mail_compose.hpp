// Which events become mail, to whom, in which language, with which values (core/mail_templates.hpp):
//   license.delivery_requested   the delivery letter          customer-facing
//   subscription.member_added    a member's invitation        the member
//   user.invited (emailed)       a person's invitation        the person (its token minted here)
//   user.password_reset_requested a reset link                the person (its token minted here)
//   license.expiring             an expiry reminder, or for a subscription a renewal reminder
//                                                             customer-facing
//   subscription.trial_ending    the trial's end              customer-facing
//   webhook.endpoint_disabled    the endpoint's owner: its partner, or the operators
//   partner.enabling_requested   the operators (mail settings' operator_email)
//   partner.enabled              the partner
//   license.compliance_flagged, license.compliance_deadline_near, license.compliance_expired
//                                a compliance notice          the partner
// Customer-facing mail goes to the customer's own email when it manages its own notifications,
// else to its partner's notification address, in the language of whoever receives it.
//
// Tokens sent by mail (invitations, password resets) are minted when the mail is written and
// stored only as hashes, never kept in the outbox: a retry mints a new one (an invitation's
// earlier tokens stay valid until they expire; a reset's are replaced).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/mail_templates.hpp"
#include "domain/records.hpp"
#include "domain/text_template.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// A letter to write: the template, its language and values, and who gets it.
struct mail_order {
  std::string template_name;
  std::string language;
  std::string to;
  template_values values;
};

/// What an event comes to by mail.
struct mail_decision {
  std::optional<mail_order> order;  ///< nullopt with no error: no one gets mail of this event
  std::string error;                ///< it cannot be written: why
  bool permanent = false;           ///< and never will be (the license is no longer in force)
};

/// Decides `event`'s mail at `now`, minting the single-use token a letter carries.
/// `token_usable(kid)` says whether a license token signed by `kid` may be handed out (false
/// once the key is revoked: the letter waits for the re-signing). Throws refusal on store errors.
[[nodiscard]] mail_decision mail_decide(store::write_view& write, const mail_settings_record& settings,
                                        const store::outbox_event& event, std::int64_t now,
                                        const std::function<bool(const std::string&)>& token_usable);

/// The delivery letter of `license` in `language` (the API shows it; mail sends it), from the
/// template in force. The caller checks that the token may be handed out.
[[nodiscard]] mail_letter delivery_letter_render(const store::read_view& view, const license_record& license,
                                                 std::string_view language);

/// The event types that may become mail (the mail channel takes only these from the outbox).
[[nodiscard]] const std::vector<std::string>& mail_event_types();

}  // namespace licensor::server
