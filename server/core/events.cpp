#include "core/events.hpp"

#include "core/ids.hpp"
#include "core/refusal.hpp"
#include "core/views.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {

void event_append(store::write_view& write, std::string_view type, const std::string& partner_id,
                  std::string subject, nlohmann::json data, std::int64_t now) {
  store::outbox_event event{0, id_generate("evt_"), std::string(type), now, partner_id, std::move(subject), std::move(data)};
  (void)must(write.outbox_append(event));
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
