#include "core/events.hpp"

#include <array>

#include "core/ids.hpp"
#include "core/refusal.hpp"
#include "core/views.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {
namespace {

constexpr std::array event_types{
    event_type_info{"license.issued", "a license was issued (also a subscription's, and the new license of a partial upgrade)"},
    event_type_info{"license.activated", "an activation bound a machine, moved the license to the active key or renewed its token"},
    event_type_info{"license.suspended", "the license was suspended"},
    event_type_info{"license.reinstated", "a suspended license was reinstated"},
    event_type_info{"license.revoked", "the license was revoked"},
    event_type_info{"license.transferred", "the license moved to another customer"},
    event_type_info{"license.unlinked", "the license was detached from its customer"},
    event_type_info{"license.deleted", "the license was deleted (data: as it was)"},
    event_type_info{"webhook.test", "a test event, asked for on one endpoint and sent only to it"},
    event_type_info{"webhook.endpoint_disabled", "an endpoint was disabled: it answered 410, or failed for 5 days"},
};

}  // namespace

std::span<const event_type_info> event_types_all() { return event_types; }

store::outbox_event event_append(store::write_view& write, std::string_view type, const std::string& partner_id,
                                 std::string subject, nlohmann::json data, std::int64_t now) {
  store::outbox_event event{0, id_generate("evt_"), std::string(type), now, partner_id, std::move(subject), std::move(data)};
  (void)must(write.outbox_append(event));
  return event;
}

void license_event_append(store::write_view& write, std::string_view what, const license_record& license,
                          std::int64_t now) {
  event_append(write, "license." + std::string(what), license.partner_id, "license:" + license.id,
               license_view(license), now);
}

nlohmann::json event_envelope(const store::outbox_event& event) {
  return {{"id", event.id},
          {"type", event.type},
          {"version", event_envelope_version},
          {"seq", event.seq},
          {"occurred_at", rfc3339_format(event.occurred_at)},
          {"partner_id", event.partner_id.empty() ? nlohmann::json() : nlohmann::json(event.partner_id)},
          {"subject", event.subject},
          {"data", event.data}};
}

}  // namespace licensor::server
