// Outbound HTTP POSTs on libcurl's multi interface: many in flight at once, connections kept
// alive and reused between rounds, every one bounded in time. Knows URLs, headers and statuses,
// nothing of events.
//
// Before a request is sent its host is resolved here and every address checked against
// address_policy.hpp (unless private addresses are allowed); curl is then told to connect to
// exactly those addresses, so a second DNS answer cannot swap in another ("DNS rebinding").
// Redirects are never followed: a 3xx is an answer like any other. Proxies from the environment
// are ignored, so the check applies to the address actually reached.
//
// Thread safety: one thread uses a client at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace licensor::server {

struct outbound_options {
  bool allow_private_addresses = false;  ///< tests and closed networks only
  bool allow_plain_http = false;         ///< http:// URLs (tests); https:// otherwise
  std::chrono::milliseconds timeout{15'000};         ///< the whole exchange
  std::chrono::milliseconds connect_timeout{5'000};
  std::size_t max_parallel = 16;         ///< requests in flight at once
  std::string ca_file;                   ///< trust these CAs instead of the system's (tests)
};

struct outbound_request {
  std::string url;
  std::vector<std::string> headers;  ///< "Name: value"
  std::string body;
};

struct outbound_response {
  int status = 0;                 ///< 0 when no answer came
  std::uint32_t latency_ms = 0;
  std::string error;              ///< why no answer came, or that the address was refused
  std::string retry_after;        ///< the Retry-After header, if any
};

/// Why `url` cannot be posted to under `options` (its scheme, user info, no host), or empty.
/// Checked when an endpoint is registered; the address is checked at each request.
[[nodiscard]] std::string outbound_url_problem(const std::string& url, const outbound_options& options);

class http_client {
 public:
  explicit http_client(outbound_options options);
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  using on_done = std::function<void(const outbound_response&)>;
  /// Queues a POST; `done` runs inside run(), and may post more.
  void post(outbound_request request, on_done done);
  /// Sends every queued request, and those posted meanwhile, and returns when all have answered
  /// or failed.
  void run();

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace licensor::server
