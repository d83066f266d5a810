// A closed-loop HTTPS load generator: N keep-alive TLS connections on one thread, each sending
// its next request as soon as the previous answer arrives. Used by the server benchmark to
// drive licensord and the trivial responder the same way.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace licensor::bench {

struct load_request {
  std::string method;
  std::string target;
  std::string body;
  std::string authorization;  ///< full header value, or empty
  std::string cookie = {};    ///< Cookie header value (a signed-in person's session), or empty
};

struct load_result {
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;      ///< transport errors and non-2xx answers
  double seconds = 0;
  std::vector<double> latencies_us;

  [[nodiscard]] double per_second() const { return seconds > 0 ? static_cast<double>(completed) / seconds : 0; }
  [[nodiscard]] double percentile_us(double p) const;
};

struct load_reply {
  unsigned status = 0;
  std::string body;
  std::string set_cookie;  ///< the Set-Cookie header's "name=value" (before the first ';'), or empty
};

/// One request on a fresh connection (for setting a benchmark up). Throws on transport errors.
[[nodiscard]] load_reply load_once(unsigned short port, const load_request& request);

struct load_options {
  unsigned clients = 64;
  std::chrono::milliseconds duration{3000};  ///< stop sending after this long
};

/// Connection `client`'s i-th request, or nullopt to close that connection.
using request_source = std::function<std::optional<load_request>(unsigned client, std::uint64_t i)>;
/// Sees every response (for collecting ids while loading data).
using response_sink = std::function<void(unsigned client, std::uint64_t i, unsigned status, const std::string& body)>;

/// Runs `options.clients` connections against 127.0.0.1:`port` until the duration ends or
/// every source is exhausted. A response counts as completed when its status is 2xx.
[[nodiscard]] load_result load_run(unsigned short port, const load_options& options, const request_source& next,
                                   const response_sink& sink = {});

}  // namespace licensor::bench
