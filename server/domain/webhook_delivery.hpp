// The rules of webhook delivery, as pure functions: what an attempt's answer means, when the
// next attempt is due, and which endpoints want which event types. The delivery job
// (jobs/delivery_job) applies them; nothing here does I/O.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace licensor::server {

/// What one attempt's answer means for the event and its endpoint.
enum class attempt_verdict {
  delivered,  ///< a 2xx: done
  retry,      ///< anything else (no answer, a 3xx not followed, 4xx, 5xx): try again later
  gone,       ///< 410 Gone: the receiver asks never to be called again; disable the endpoint
};

/// The verdict of an HTTP status (0: no answer came).
[[nodiscard]] attempt_verdict attempt_verdict_of(int status);

/// Seconds from a failed attempt to the next, after `attempts` attempts (1 after the first):
/// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, 24 h, 24 h, each stretched by `jitter` (in [0, 1):
/// by up to 20%) so that many endpoints failing together do not retry in step. -1 when the attempts have run out and the event is dead: the tenth and last attempt
/// comes 75 to 90 hours after the first.
[[nodiscard]] std::int64_t retry_delay_seconds(std::uint32_t attempts, double jitter);

/// The number of attempts an event gets before it is dead.
[[nodiscard]] std::uint32_t delivery_attempts_max();

/// How long an endpoint may fail without a single success before it is disabled: 5 days.
inline constexpr std::int64_t endpoint_failing_limit_seconds = 5 * 86'400;

/// The seconds a Retry-After header asks for (delay-seconds or an HTTP date, against `now`),
/// or -1 when the value is neither. Capped at a day.
[[nodiscard]] std::int64_t retry_after_seconds(std::string_view value, std::int64_t now);

/// True when `type` is among `wanted`: an exact type, a family ("license.*") or, when `wanted`
/// is empty, every type.
[[nodiscard]] bool event_type_wanted(std::span<const std::string> wanted, std::string_view type);

}  // namespace licensor::server
