// A closed-loop HTTPS load generator: N keep-alive TLS connections on one thread, each sending
// its next request as soon as the previous answer arrives. Used by the server benchmark to
// drive licensord and the trivial responder the same way.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace licensor::bench {

struct load_request {
  std::string method;
  std::string target;
  std::string body;
  std::string authorization;  ///< full header value, or empty
};

struct load_result {
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;      ///< transport errors or statuses other than the expected one
  double seconds = 0;
  std::vector<double> latencies_us;

  [[nodiscard]] double per_second() const { return seconds > 0 ? static_cast<double>(completed) / seconds : 0; }
  [[nodiscard]] double percentile_us(double p) const;
};

struct load_reply {
  unsigned status = 0;
  std::string body;
};

/// One request on a fresh connection (for setting a benchmark up). Throws on transport errors.
[[nodiscard]] load_reply load_once(unsigned short port, const load_request& request);

/// Runs `clients` connections against 127.0.0.1:`port` for `duration`; `next(client, i)`
/// gives connection `client`'s i-th request. A response counts as completed only with
/// status `expected_status`.
[[nodiscard]] load_result load_run(unsigned short port, unsigned clients, std::chrono::milliseconds duration,
                                   unsigned expected_status,
                                   const std::function<load_request(unsigned client, std::uint64_t i)>& next);

}  // namespace licensor::bench
