#include "domain/webhook_delivery.hpp"

#include <array>
#include <charconv>
#include <ctime>

namespace licensor::server {
namespace {

// The Standard Webhooks schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) with two more days,
// so that an endpoint down over a long weekend still gets its events: about 75 h in all.
constexpr std::array<std::int64_t, 9> retry_delays{5, 300, 1'800, 7'200, 18'000, 36'000, 36'000, 86'400, 86'400};
constexpr std::int64_t retry_after_cap = 86'400;

// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the only HTTP date form senders must use.
std::int64_t http_date_parse(std::string_view value) {
  std::tm parts{};
  const std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  if (end == nullptr || *end != '\0') return -1;
  return static_cast<std::int64_t>(timegm(&parts));
}

}  // namespace

attempt_verdict attempt_verdict_of(int status) {
  if (status >= 200 && status < 300) return attempt_verdict::delivered;
  if (status == 410) return attempt_verdict::gone;
  return attempt_verdict::retry;
}

std::int64_t retry_delay_seconds(std::uint32_t attempts, double jitter) {
  if (attempts == 0 || attempts > retry_delays.size()) return -1;
  const auto base = retry_delays[attempts - 1];
  // Jitter only stretches, so that the schedule spans 75 hours whatever it draws.
  const double factor = 1.0 + 0.2 * (jitter < 0 ? 0 : jitter >= 1 ? 0.999 : jitter);
  return static_cast<std::int64_t>(static_cast<double>(base) * factor);
}

std::uint32_t delivery_attempts_max() { return static_cast<std::uint32_t>(retry_delays.size() + 1); }

std::int64_t retry_after_seconds(std::string_view value, std::int64_t now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return -1;
  std::int64_t seconds = -1;
  if (const auto parsed = std::from_chars(value.data(), value.data() + value.size(), seconds);
      parsed.ec == std::errc{} && parsed.ptr == value.data() + value.size()) {
    if (seconds < 0) return -1;
  } else {
    const auto at = http_date_parse(value);
    if (at < 0) return -1;
    seconds = at > now ? at - now : 0;
  }
  return seconds > retry_after_cap ? retry_after_cap : seconds;
}

bool event_type_wanted(std::span<const std::string> wanted, std::string_view type) {
  if (wanted.empty()) return true;
  for (const auto& pattern : wanted) {
    if (pattern == type) return true;
    if (pattern.ends_with(".*") && type.starts_with(std::string_view(pattern).substr(0, pattern.size() - 1))) return true;
  }
  return false;
}

}  // namespace licensor::server
