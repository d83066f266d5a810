// Webhook endpoints: URLs that receive events as Standard Webhooks (domain/webhook_signature),
// delivered by jobs/delivery_job (jobs/webhook_transport). Operators register endpoints that hear every partner's
// events; a partner registers its own, which hear only its events. Each has the event types it
// wants, can be disabled, and signs with a "whsec_" secret shown once (at creation and at each
// rotation; the previous secret keeps signing beside the new one for a day, so receivers can
// switch without losing a delivery).
//
// A partner's endpoint and its deliveries are not_found to another partner, as for any record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/caller.hpp"
#include "domain/records.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// How long a rotated-out secret keeps signing beside the new one.
inline constexpr std::int64_t webhook_secret_overlap_seconds = 86'400;

/// What an endpoint should be. Unset fields leave an existing endpoint's as they are.
struct webhook_endpoint_order {
  std::optional<std::string> url;
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> event_types;
  std::optional<bool> enabled;
};

/// Throws bad_request unless every entry of `types` is a known event type or family
/// ("license.*"; core/events.hpp's catalogue).
void event_types_check(const std::vector<std::string>& types);

/// Registers a new endpoint of `who`'s organisation (an operator's: every partner's events;
/// a partner's: its own) signing with `secret`. It hears events committed from now on: its
/// cursor starts at the outbox's newest event. `order.url` is required and must already have
/// been checked (outbound_url_problem). Throws bad_request (unknown event types), forbidden
/// (a customer).
[[nodiscard]] webhook_endpoint_record webhook_endpoint_create(store::write_view& write, const caller& who,
                                                              const webhook_endpoint_order& order,
                                                              const std::string& id, const std::string& secret,
                                                              std::int64_t now);

/// The endpoint `id` as `who` may reach it. Throws not_found (missing, or another partner's).
[[nodiscard]] webhook_endpoint_record webhook_endpoint_reach(const store::read_view& view, const caller& who,
                                                             const std::string& id);

/// The endpoints `who` reaches: an operator every one, a partner its own.
[[nodiscard]] std::vector<webhook_endpoint_record> webhook_endpoints_of(const store::read_view& view, const caller& who);

/// Changes the endpoint's URL, description, types or enabled flag. Enabling a disabled endpoint
/// clears why it was disabled and its failing streak; it resumes where it stopped. Throws
/// not_found, bad_request.
[[nodiscard]] webhook_endpoint_record webhook_endpoint_update(store::write_view& write, const caller& who,
                                                              const std::string& id, const webhook_endpoint_order& order,
                                                              std::int64_t now);

/// Removes the endpoint, its waiting events and its log. Throws not_found.
void webhook_endpoint_delete(store::write_view& write, const caller& who, const std::string& id, std::int64_t now);

/// Makes `secret` the endpoint's secret; the one it replaces signs too for
/// webhook_secret_overlap_seconds. Throws not_found.
[[nodiscard]] webhook_endpoint_record webhook_secret_rotate(store::write_view& write, const caller& who,
                                                            const std::string& id, const std::string& secret,
                                                            std::int64_t now);

/// Appends a "webhook.test" event that only this endpoint receives, whatever its types. Returns
/// it. Throws not_found, conflict (the endpoint is disabled: it would receive nothing).
[[nodiscard]] store::outbox_event webhook_test_send(store::write_view& write, const caller& who, const std::string& id,
                                                    std::int64_t now);

/// Queues the event `event_id` for the endpoint again, due now, as a first attempt (also after
/// it was delivered, or died). Throws not_found (the endpoint, or an event it never wanted or
/// that was pruned).
void webhook_resend(store::write_view& write, const caller& who, const std::string& id, const std::string& event_id,
                    std::int64_t now);

/// The endpoint's delivery log, newest first. Throws not_found.
[[nodiscard]] store::page<store::delivery_attempt> webhook_deliveries(const store::read_view& view, const caller& who,
                                                                      const std::string& id,
                                                                      const store::page_request& page);

/// True when `endpoint` wants `event`: enabled, the event is its organisation's (any, for an
/// operator's endpoint), of a type it asked for; a "webhook.test" event only to the endpoint it
/// names.
[[nodiscard]] bool webhook_wants(const webhook_endpoint_record& endpoint, const store::outbox_event& event);

}  // namespace licensor::server
