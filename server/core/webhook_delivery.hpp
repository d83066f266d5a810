// What the delivery job sends to an endpoint in one round, and how it records what happened.
//
// Order: events of one subject reach an endpoint in outbox order. An event whose attempt failed
// waits (store::delivery_pending) with its next attempt's time, and later events of its subject
// wait behind it, unsent, until it is delivered or dies; other subjects go on meanwhile, and
// each failed event keeps its own schedule (an endpoint that is down gets each new event tried
// once, then on the schedule). Delivery is at least once: an event may arrive twice (a crash between the
// answer and its record), never not at all while the endpoint is enabled and within the
// attempts; receivers de-duplicate by webhook-id.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/records.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// One event to send to the endpoint, as attempt number `attempt`.
struct delivery_send {
  store::outbox_event event;
  std::uint32_t attempt = 1;
  bool waiting = false;            ///< a store::delivery_pending exists for it
  std::int64_t first_attempt_at = 0;
};

/// Events of one subject, to send one after another: each only once the one before was delivered.
struct delivery_chain {
  std::vector<delivery_send> sends;
};

/// One endpoint's round.
struct delivery_plan {
  webhook_endpoint_record endpoint;
  std::vector<delivery_chain> chains;
  std::vector<delivery_send> behind;  ///< new events queued unsent behind a waiting one
  std::vector<store::delivery_pending> vanished;  ///< waiting events pruned before their turn
  std::uint64_t cursor = 0;           ///< the endpoint's cursor once this round is recorded
  bool more_waiting = false;          ///< the batch was full: more new events wait in the outbox
  [[nodiscard]] bool empty() const {
    return chains.empty() && behind.empty() && vanished.empty() && cursor == endpoint.cursor;
  }
};

/// What came of one send.
struct delivery_result {
  bool attempted = false;  ///< false: an earlier send of its chain failed, so it was not tried
  bool skipped = false;    ///< nothing was due to this endpoint for the event (a mail no one gets): done, unlogged
  bool permanent = false;  ///< a failure that no retry can mend (a mailbox refused): dead at once
  int status = 0;          ///< the HTTP status, or the SMTP reply code
  std::uint32_t latency_ms = 0;
  std::string error;
  std::string retry_after;  ///< the Retry-After header
  std::string recipient;    ///< mail: the address written to
  [[nodiscard]] bool delivered() const { return attempted && !skipped && error.empty() && status >= 200 && status < 300; }
};

/// The round for `endpoint` at `now`: its due waiting events (the first of each subject), then
/// up to `batch` new events after its cursor. Throws refusal on store errors.
[[nodiscard]] delivery_plan delivery_plan_make(const store::read_view& view, const webhook_endpoint_record& endpoint,
                                               std::int64_t now, std::size_t batch);

/// Records a round's results (results[c][i] for plan.chains[c].sends[i]) in one write: the log,
/// the events that now wait (with their next attempt, or dead when their attempts ran out), the
/// cursor, the endpoint's failing streak. Disables a webhook endpoint on a 410, or when it has
/// failed for endpoint_failing_limit_seconds without a success, with a "webhook.endpoint_disabled"
/// event (the mail channel is never disabled: its mail waits). An endpoint deleted meanwhile is
/// left alone. Throws refusal on store errors.
void delivery_record(store::write_view& write, const delivery_plan& plan,
                     const std::vector<std::vector<delivery_result>>& results, std::int64_t now);

/// The request body and the Standard Webhooks headers of `event` for `endpoint` at `now`:
/// "webhook-id", "webhook-timestamp", "webhook-signature" (one v1 signature per secret in force).
struct delivery_message {
  std::string body;
  std::vector<std::string> headers;  ///< "Name: value"
};
[[nodiscard]] delivery_message delivery_message_make(const webhook_endpoint_record& endpoint,
                                                     const store::outbox_event& event, std::int64_t now);

/// Prunes what outlived `retention_seconds`: delivery log entries, and outbox events every
/// enabled webhook endpoint has taken and none waits for (mail does not hold events back: a
/// letter waits at most the retention). Returns how many records went.
[[nodiscard]] std::size_t delivery_prune(store::write_view& write, std::int64_t retention_seconds, std::int64_t now);

}  // namespace licensor::server
