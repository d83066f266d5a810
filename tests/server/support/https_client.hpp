// A small synchronous HTTPS client for black-box tests and benchmarks of licensord.
//
// One object owns one TLS connection (HTTP/1.1 keep-alive) and reconnects when the server has
// closed it. Certificate verification is OFF: it talks to a self-signed development server on
// loopback only, never to anything else.
//
// Thread safety: none; give every thread its own client. Every socket step has a timeout
// (default 30 s), so a hung server fails a test instead of hanging it. Transport failures
// throw std::runtime_error; HTTP errors are ordinary responses.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace licensor::testing {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct response {
  unsigned status = 0;
  nlohmann::json json;                         ///< the parsed body; null when it is not JSON
  std::string body;                            ///< the raw body
  std::map<std::string, std::string> headers;  ///< names lower-cased; a repeated header keeps its first value
  std::vector<std::string> set_cookies;        ///< every Set-Cookie header, in order

  /// The header's value, or "" when absent. `name` is matched case-insensitively.
  [[nodiscard]] std::string header(std::string_view name) const;
  /// The error code of an {"error": {"code", "message"}} body, or "" when the body has no such shape.
  [[nodiscard]] std::string error_code() const;
  /// True when the body is exactly {"error": {"code": string, "message": string}}.
  [[nodiscard]] bool has_error_shape() const;
};

class https_client {
 public:
  /// Connects lazily, on the first request. `bearer`, when not empty, is sent as
  /// "Authorization: Bearer <bearer>" with every request.
  explicit https_client(unsigned short port, std::string bearer = {}, std::string host = "127.0.0.1");
  ~https_client();
  https_client(https_client&&) noexcept;
  https_client& operator=(https_client&&) noexcept;

  void bearer_set(std::string bearer) { bearer_ = std::move(bearer); }
  [[nodiscard]] const std::string& bearer() const { return bearer_; }
  void timeout_set(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  /// Binds the connection's local end to `address` (e.g. "127.0.0.7": all of 127/8 is loopback
  /// on Linux), so the server sees requests from that client address. Takes effect on the next
  /// connection.
  void source_address_set(std::string address) {
    source_address_ = std::move(address);
    close();
  }

  /// Sends one request and reads its response. `body` is sent as is (Content-Type
  /// application/json when not empty); `headers` are added, and may override Authorization.
  response request(std::string_view method, std::string_view target, std::string_view body = {},
                   const header_list& headers = {});

  /// JSON conveniences around request().
  response get(std::string_view target, const header_list& headers = {}) { return request("GET", target, {}, headers); }
  response post(std::string_view target, const nlohmann::json& body = nlohmann::json::object(),
                const header_list& headers = {}) {
    return request("POST", target, body.dump(), headers);
  }
  response patch(std::string_view target, const nlohmann::json& body, const header_list& headers = {}) {
    return request("PATCH", target, body.dump(), headers);
  }
  response del(std::string_view target, const header_list& headers = {}) { return request("DELETE", target, {}, headers); }

  /// Closes the connection (the next request opens a new one).
  void close();
  /// How many TLS connections this client has opened so far.
  [[nodiscard]] std::size_t connections_opened() const { return connections_opened_; }

 private:
  struct connection;
  void connect();

  std::string host_;
  unsigned short port_;
  std::string bearer_;
  std::string source_address_;
  std::chrono::milliseconds timeout_{30'000};
  std::unique_ptr<connection> connection_;
  std::size_t connections_opened_ = 0;
};

/// Opens a TLS connection, writes `bytes` as they are (no HTTP framing), then reads until the
/// server closes the connection or `timeout` passes, and returns what it read. For malformed-HTTP
/// tests. Throws std::runtime_error when the connection or the handshake fails.
std::string tls_raw_exchange(unsigned short port, std::string_view bytes,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10),
                             std::string host = "127.0.0.1");

/// Parses the first HTTP response in `raw` (as returned by tls_raw_exchange). Returns a response
/// with status 0 when `raw` does not start with a complete HTTP response.
response http_response_parse(std::string_view raw);

}  // namespace licensor::testing
