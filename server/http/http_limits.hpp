// What one client may cost licensord's HTTPS front: sizes, times and connection counts.
#pragma once

#include <chrono>
#include <cstddef>

namespace licensor::server {

struct http_limits {
  std::size_t body_bytes = 64 * 1024;
  std::size_t header_bytes = 8 * 1024;
  std::chrono::seconds handshake_timeout{10};
  std::chrono::seconds read_timeout{15};   ///< a request must arrive whole within this
  std::chrono::seconds idle_timeout{60};   ///< keep-alive connections with no request close
  /// Open connections in all; lowered at start to fit the process's file-descriptor limit.
  std::size_t max_connections = 10'000;
  /// Open connections from one client address (a NAT or a proxy holds many clients).
  std::size_t max_connections_per_client = 256;
  /// Connections still in the TLS handshake: a flood of silent sockets cannot take every slot.
  std::size_t max_handshakes = 1'000;
};

/// The most a connection's read buffer may hold: one request's header and body, plus room for
/// the framing around them.
[[nodiscard]] constexpr std::size_t read_buffer_limit(const http_limits& limits) {
  return limits.header_bytes + limits.body_bytes + 4 * 1024;
}

}  // namespace licensor::server
