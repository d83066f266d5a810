// Reading one HTTP/1.1 request off a connection, bounded and screened, for the server's sessions
// and for the fuzz target that drives the same code with raw bytes.
//
// Every byte a client sends lands in a read buffer of bounded size (headers + body + slack): a
// line that never ends (a chunk extension, a trailer, a header) fails the read with
// buffer_overflow instead of growing memory. After the header, the request is screened
// (RFC 9112): a Transfer-Encoding of any kind is refused (JSON clients send Content-Length,
// and chunked bodies are where trailers and extensions of unbounded size live); a HTTP/1.1
// request needs exactly one Host, a HTTP/1.0 request at most one. A refused request is answered
// and its connection closed, because what follows its header cannot be framed.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>
#include <string>

#include "api/api_types.hpp"
#include "http/http_limits.hpp"

namespace licensor::server {

/// A request read whole: what the API sees, and whether the client keeps the connection.
/// A new request id (X-Request-Id): 24 hex digits, random.
[[nodiscard]] std::string request_id_new();

struct received_request {
  api_request request;
  bool keep_alive = false;
};

class request_reader {
 public:
  using parser_type = boost::beast::http::request_parser<boost::beast::http::string_body>;

  explicit request_reader(const http_limits& limits);

  /// A fresh parser with the limits set, for the next request on the connection.
  parser_type& next();
  [[nodiscard]] parser_type& parser() { return *parser_; }
  [[nodiscard]] boost::beast::flat_buffer& buffer() { return buffer_; }

  /// After the header is read: why this request is refused (answer 400 and close), or nullopt.
  [[nodiscard]] std::optional<std::string> header_refusal() const;

  /// After the whole request is read: the request as the API sees it; the parser is spent.
  [[nodiscard]] received_request take(const std::string& client);

 private:
  const http_limits& limits_;
  boost::beast::flat_buffer buffer_;
  std::optional<parser_type> parser_;
};

/// The API error for a failed read: body_limit is payload_too_large, everything else
/// (malformed, header_limit, buffer_overflow) bad_request, with a message when it helps.
[[nodiscard]] api_response read_error_response(const boost::system::error_code& ec);

}  // namespace licensor::server
