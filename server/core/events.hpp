// Events: what others (webhook receivers, mail, a vendor's billing or CRM) hear of a change. An
// operation appends its events to the store's outbox in its own write job, so an event exists if
// and only if its change committed, and in the order the changes committed.
//
// The envelope (docs/events.md), version 1:
//   {"id": "evt_…", "type": "license.issued", "version": 1, "seq": 42,
//    "occurred_at": RFC 3339, "partner_id": "par_…" or null, "subject": "license:lic_…",
//    "data": the object as the API shows it}
// Events of one subject keep the order of its changes (their seq increases).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "domain/records.hpp"
#include "store/store.hpp"

namespace licensor::server {

inline constexpr int event_envelope_version = 1;

/// Appends an event of `type` about `subject` to the outbox, in the change's own write, and
/// returns it (numbered). Throws refusal on store errors.
store::outbox_event event_append(store::write_view& write, std::string_view type, const std::string& partner_id,
                  std::string subject, nlohmann::json data, std::int64_t now);

/// The license's event: "license.<what>" about "license:<id>", with the license as the API
/// shows it to its partner. Returns that view's JSON text, which an answer about the license may
/// send as is (issuance renders the view once, for its event and its answer).
std::string license_event_append(store::write_view& write, std::string_view what, const license_record& license,
                                 std::int64_t now);

/// What a status action ("suspend", "reinstate", "revoke") makes of a license: "suspended",
/// "reinstated", "revoked".
[[nodiscard]] std::string_view license_status_event(std::string_view action);

/// The subscription's event: "subscription.<what>" about "license:<id>" (its license's subject,
/// so that the two keep one order), with the license and its subscription as the API shows them
/// (read back through `write`: call it once the subscription is saved), and `extra`'s fields
/// beside them ("member": the email of a member added or removed).
void subscription_event_append(store::write_view& write, std::string_view what, const license_record& license,
                               std::int64_t now, const nlohmann::json& extra = nlohmann::json::object());

/// One type of event the server writes, for the catalogue (GET /v1/event-types, docs/events.md).
struct event_type_info {
  std::string_view type;
  std::string_view summary;
};

/// Every type the server writes, by family.
[[nodiscard]] std::span<const event_type_info> event_types_all();

/// The event's data as a document (an empty object if what was stored is not one).
[[nodiscard]] nlohmann::json event_data(const store::outbox_event& event);

/// The envelope of a stored event, as receivers get it.
[[nodiscard]] nlohmann::json event_envelope(const store::outbox_event& event);

/// event_envelope(event).dump(), byte for byte, without parsing the event's data: what the
/// delivery job sends, once per event and endpoint.
[[nodiscard]] std::string event_envelope_text(const store::outbox_event& event);

}  // namespace licensor::server
