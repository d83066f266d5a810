#include "core/webhook_delivery.hpp"

#include <functional>
#include <map>
#include <set>

#include "core/events.hpp"
#include "core/refusal.hpp"
#include "core/webhooks.hpp"
#include "domain/webhook_delivery.hpp"
#include "domain/webhook_signature.hpp"

namespace licensor::server {
namespace {

// Waiting events read per round: enough for any endpoint that is not down; one that is down
// has its oldest tried first, and the rest after them.
constexpr std::size_t waiting_read_max = 1'000;
constexpr std::size_t prune_batch = 10'000;

// The same event's same attempt always gets the same jitter, so a re-run job writes the same.
double jitter_of(const std::string& event_id, std::uint32_t attempt) {
  const auto hash = std::hash<std::string>{}(event_id + "#" + std::to_string(attempt));
  return static_cast<double>(hash % 10'000) / 10'000.0;
}

std::string error_of(const delivery_result& result) {
  if (!result.error.empty()) return result.error;
  if (result.status >= 300 && result.status < 400) return "answered " + std::to_string(result.status) + " (redirects are not followed)";
  return "answered " + std::to_string(result.status);
}

// The event `seq`, unless it was pruned.
std::optional<store::outbox_event> event_at(const store::read_view& view, std::uint64_t seq) {
  auto events = must(view.outbox_after(seq - 1, 1));
  if (events.empty() || events.front().seq != seq) return std::nullopt;
  return std::move(events.front());
}

void endpoint_disable(store::write_view& write, webhook_endpoint_record& endpoint, std::string reason, std::int64_t now) {
  endpoint.enabled = false;
  endpoint.disabled_reason = std::move(reason);
  endpoint.updated_at = now;
  event_append(write, "webhook.endpoint_disabled", endpoint.partner_id, "webhook_endpoint:" + endpoint.id,
               {{"endpoint_id", endpoint.id},
                {"url", endpoint.url},
                {"reason", endpoint.disabled_reason},
                {"failing_since", endpoint.failing_since}},
               now);
}

store::delivery_pending pending_of(const delivery_plan& plan, const delivery_send& send) {
  return {plan.endpoint.id, send.event.seq, send.event.subject, 0, 0, send.first_attempt_at, ""};
}

}  // namespace

delivery_plan delivery_plan_make(const store::read_view& view, const webhook_endpoint_record& endpoint,
                                 std::int64_t now, std::size_t batch) {
  delivery_plan plan;
  plan.endpoint = endpoint;
  plan.cursor = endpoint.cursor;
  if (!endpoint.enabled) return plan;

  std::map<std::string, std::size_t> chain_of;  // subject -> its chain in plan.chains
  std::set<std::string> blocked;                // subjects whose first waiting event is not due
  const auto waiting = must(view.deliveries_pending(endpoint.id, waiting_read_max));
  for (const auto& pending : waiting) {
    if (blocked.contains(pending.subject)) continue;
    auto chain = chain_of.find(pending.subject);
    if (chain == chain_of.end()) {
      if (pending.next_attempt_at > now) {
        blocked.insert(pending.subject);
        continue;
      }
      chain = chain_of.emplace(pending.subject, plan.chains.size()).first;
      plan.chains.emplace_back();
    }
    auto event = event_at(view, pending.seq);
    if (!event) {
      plan.vanished.push_back(pending);  // pruned while it waited: nothing left to send
      continue;
    }
    plan.chains[chain->second].sends.push_back({std::move(*event), pending.attempts + 1, true, pending.first_attempt_at});
  }

  const bool waiting_truncated = waiting.size() == waiting_read_max;
  auto events = must(view.outbox_after(endpoint.cursor, batch));
  plan.more_waiting = events.size() == batch;
  for (auto& event : events) {
    plan.cursor = event.seq;
    if (!webhook_wants(endpoint, event)) continue;
    delivery_send send{std::move(event), 1, false, 0};
    const auto& subject = send.event.subject;
    if (blocked.contains(subject) ||
        (waiting_truncated && !chain_of.contains(subject) && must(view.delivery_subject_head(endpoint.id, subject)))) {
      plan.behind.push_back(std::move(send));
      continue;
    }
    auto chain = chain_of.find(subject);
    if (chain == chain_of.end()) {
      chain = chain_of.emplace(subject, plan.chains.size()).first;
      plan.chains.emplace_back();
    }
    plan.chains[chain->second].sends.push_back(std::move(send));
  }
  return plan;
}

void delivery_record(store::write_view& write, const delivery_plan& plan,
                     const std::vector<std::vector<delivery_result>>& results, std::int64_t now) {
  auto stored = must(write.webhook_endpoint_get(plan.endpoint.id));
  if (!stored) return;  // deleted meanwhile, with everything it had waiting
  auto& endpoint = *stored;
  bool gone = false;
  for (std::size_t c = 0; c < plan.chains.size(); ++c) {
    for (std::size_t i = 0; i < plan.chains[c].sends.size(); ++i) {
      const auto& send = plan.chains[c].sends[i];
      const auto& result = results.at(c).at(i);
      auto pending = pending_of(plan, send);
      if (!result.attempted) {
        if (!send.waiting) must(write.delivery_pending_put(pending));  // behind a failed one
        continue;
      }
      if (result.skipped) {
        if (send.waiting) must(write.delivery_pending_erase(pending));
        continue;
      }
      store::delivery_attempt attempt{endpoint.id, send.event.id, send.event.seq, send.event.type, send.attempt, now,
                                      result.status, result.latency_ms, "", "", result.recipient};
      const auto verdict = attempt_verdict_of(result.error.empty() ? result.status : 0);
      if (verdict == attempt_verdict::delivered) {
        attempt.outcome = "delivered";
        if (send.waiting) must(write.delivery_pending_erase(pending));
        endpoint.failing_since = 0;
        endpoint.last_success_at = now;
      } else {
        attempt.error = error_of(result);
        // A message refused for good (a mailbox that does not exist) says nothing of the endpoint.
        if (endpoint.failing_since == 0 && !result.permanent) endpoint.failing_since = now;
        pending.attempts = send.attempt;
        pending.first_attempt_at = send.first_attempt_at == 0 ? now : send.first_attempt_at;
        pending.last_error = attempt.error;
        if (verdict == attempt_verdict::gone) {
          // Kept waiting, due at once: if the endpoint is enabled again, it gets the event first.
          attempt.outcome = "gone";
          pending.next_attempt_at = now;
          must(write.delivery_pending_put(pending));
          gone = true;
        } else if (const auto delay = retry_delay_seconds(send.attempt, jitter_of(send.event.id, send.attempt));
                   delay < 0 || result.permanent) {
          attempt.outcome = "dead";
          must(write.delivery_pending_erase(pending));
        } else {
          const auto asked = retry_after_seconds(result.retry_after, now);
          attempt.outcome = "retrying";
          pending.next_attempt_at = now + (asked >= 0 ? asked : delay);
          must(write.delivery_pending_put(pending));
        }
      }
      must(write.delivery_log_append(attempt));
    }
  }
  for (const auto& send : plan.behind) must(write.delivery_pending_put(pending_of(plan, send)));
  for (const auto& pending : plan.vanished) must(write.delivery_pending_erase(pending));
  if (endpoint.cursor < plan.cursor) endpoint.cursor = plan.cursor;
  if (endpoint.channel != "webhook") {
    // The mail channel is never disabled: its mail waits, and health says so.
  } else if (endpoint.enabled && gone) {
    endpoint_disable(write, endpoint, "gone", now);
  } else if (endpoint.enabled && endpoint.failing_since != 0 && now - endpoint.failing_since >= endpoint_failing_limit_seconds) {
    endpoint_disable(write, endpoint, "failing", now);
  }
  must(write.webhook_endpoint_put(endpoint));
}

delivery_message delivery_message_make(const webhook_endpoint_record& endpoint, const store::outbox_event& event,
                                       std::int64_t now) {
  delivery_message message;
  message.body = event_envelope_text(event);
  std::vector<webhook_key> keys;
  if (!endpoint.previous_secret.empty() && now < endpoint.previous_secret_until) {
    if (auto key = webhook_secret_decode(endpoint.previous_secret)) keys.push_back(std::move(*key));
  }
  if (auto key = webhook_secret_decode(endpoint.secret)) keys.push_back(std::move(*key));
  message.headers = {"Content-Type: application/json", "webhook-id: " + event.id,
                     "webhook-timestamp: " + std::to_string(now),
                     "webhook-signature: " + webhook_signature(keys, event.id, now, message.body)};
  return message;
}

std::size_t delivery_prune(store::write_view& write, std::int64_t retention_seconds, std::int64_t now) {
  const auto before = now - retention_seconds;
  std::uint64_t through = must(write.outbox_last_seq());
  for (const auto& endpoint : must(write.webhook_endpoints())) {
    // A disabled endpoint does not hold the outbox back, nor does mail (a server that never
    // configures SMTP would otherwise keep every event): letters wait at most the retention.
    if (!endpoint.enabled || endpoint.channel == "mail") continue;
    through = std::min(through, endpoint.cursor);
    const auto waiting = must(write.deliveries_pending(endpoint.id, 1));
    if (!waiting.empty() && waiting.front().seq > 0) through = std::min(through, waiting.front().seq - 1);
  }
  auto removed = must(write.outbox_prune(through, before, prune_batch));
  removed += must(write.delivery_log_prune(before, prune_batch));
  return removed;
}

}  // namespace licensor::server
