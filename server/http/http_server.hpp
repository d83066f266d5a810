// licensord's HTTPS front: Boost.Beast over Asio and OpenSSL (private to this layer: nothing of
// them shows in this header). One io_context per worker thread, each with its own SO_REUSEPORT
// listener, so the kernel spreads connections and no request crosses threads except through the
// store's writer.
//
// Bounded: header, body and read-buffer size limits, a handshake, read and idle timeout,
// connection limits (in all, per client address, in the handshake) kept below the process's
// file-descriptor limit, one request in flight per connection. Accept errors (EMFILE, ENFILE)
// back off instead of spinning. An exception escaping one connection's handler is logged and
// ends that connection only: the worker goes on serving. Graceful stop: listeners close,
// requests in flight finish and are answered, then the threads end.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "api/api_types.hpp"
#include "http/http_limits.hpp"
#include "http/tls.hpp"
#include "licensor/result.hpp"
#include "metrics/metrics.hpp"

namespace licensor::server {

struct http_options {
  std::string address = "127.0.0.1";
  unsigned short port = 8443;
  unsigned threads = 0;  ///< 0: one per core
  http_limits limits;
  bool log_requests = true;
  /// Where TLS handshakes and refused connections are counted (GET /metrics); none: not counted.
  metrics::registry* metrics = nullptr;
};

/// What the server calls for each request; must call `respond` exactly once, from any thread.
using request_handler = std::function<void(const api_request&, responder)>;

class http_server {
 public:
  http_server(request_handler handler, std::shared_ptr<tls_context> tls, http_options options);
  ~http_server();

  /// Raises the file-descriptor limit to its hard maximum and lowers max_connections (and
  /// max_handshakes) to fit under it, then binds the listeners. Returns the port (useful with
  /// port 0). Errors: io_error.
  [[nodiscard]] result<unsigned short> listen();
  /// Serves until stop() (callable from any thread or a signal handler thread).
  void run();
  void stop();

  struct state;  // shared with sessions; defined in the .cpp

 private:
  std::shared_ptr<state> state_;
};

}  // namespace licensor::server
