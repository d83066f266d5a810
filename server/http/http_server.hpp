// licensord's HTTPS front: Boost.Beast over Asio and OpenSSL. One io_context per worker thread,
// each with its own SO_REUSEPORT listener, so the kernel spreads connections and no request
// crosses threads except through the group-commit writer.
//
// Bounded: header and body size limits, a handshake, read and idle timeout, a connection
// limit, one request in flight per connection. Graceful stop: listeners close, requests in
// flight finish and are answered, then the threads end.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "api/api_types.hpp"
#include "licensor/result.hpp"

namespace licensor::server {

struct http_limits {
  std::size_t body_bytes = 64 * 1024;
  std::size_t header_bytes = 8 * 1024;
  std::chrono::seconds handshake_timeout{10};
  std::chrono::seconds read_timeout{15};   ///< a request must arrive whole within this
  std::chrono::seconds idle_timeout{60};   ///< keep-alive connections with no request close
  std::size_t max_connections = 10'000;
};

struct http_options {
  std::string address = "127.0.0.1";
  unsigned short port = 8443;
  unsigned threads = 0;  ///< 0: one per core
  http_limits limits;
  bool log_requests = true;
};

/// What the server calls for each request; must call `respond` exactly once, from any thread.
using request_handler = std::function<void(const api_request&, responder)>;

class http_server {
 public:
  http_server(request_handler handler, std::shared_ptr<boost::asio::ssl::context> tls, http_options options);
  ~http_server();

  /// Binds the listeners. Returns the port (useful with port 0). Errors: io_error.
  [[nodiscard]] result<unsigned short> listen();
  /// Serves until stop() (callable from any thread or a signal handler thread).
  void run();
  void stop();

  struct state;  // shared with sessions; defined in the .cpp

 private:
  std::shared_ptr<state> state_;
};

}  // namespace licensor::server
