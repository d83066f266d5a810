#include "http/request_reader.hpp"

#include <sodium.h>

#include <array>

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>

#include "licensor/id_random.hpp"

namespace licensor::server {

namespace http = boost::beast::http;

// 96 random bits in hex: unique enough to find one request among a store's whole history,
// short enough to read out over the phone. Chosen by the server, never taken from the client,
// so an audit entry's request id always names a request this server answered.
std::string request_id_new() {
  constexpr std::size_t id_bytes = 12;
  std::array<unsigned char, id_bytes> random{};
  id_random_bytes(random);
  char hex[id_bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, random.data(), random.size());
  return {hex, id_bytes * 2};
}

request_reader::request_reader(const http_limits& limits) : limits_(limits), buffer_(read_buffer_limit(limits)) {}

request_reader::parser_type& request_reader::next() {
  parser_.emplace();
  parser_->body_limit(limits_.body_bytes);
  parser_->header_limit(static_cast<std::uint32_t>(limits_.header_bytes));
  return *parser_;
}

std::optional<std::string> request_reader::header_refusal() const {
  const auto& header = parser_->get();
  if (header.find(http::field::transfer_encoding) != header.end())
    return "Transfer-Encoding is not accepted: send the body with Content-Length";
  const auto hosts = header.count(http::field::host);
  if (hosts > 1) return "more than one Host header";
  if (hosts == 0 && header.version() >= 11) return "a HTTP/1.1 request needs a Host header";
  return std::nullopt;
}

received_request request_reader::take(const std::string& client) {
  auto message = parser_->release();
  parser_.reset();
  received_request received{{}, message.keep_alive()};
  auto& request = received.request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  request.body = std::move(message.body());
  request.authorization = std::string(message[http::field::authorization]);
  request.idempotency_key = std::string(message["Idempotency-Key"]);
  request.cookie = std::string(message[http::field::cookie]);
  request.origin = std::string(message[http::field::origin]);
  request.host = std::string(message[http::field::host]);
  request.csrf_token = std::string(message["X-CSRF-Token"]);
  request.user_agent = std::string(message[http::field::user_agent]).substr(0, 200);
  request.accept_encoding = std::string(message[http::field::accept_encoding]).substr(0, 200);
  request.client = client;
  request.request_id = request_id_new();
  return received;
}

api_response read_error_response(const boost::system::error_code& ec) {
  if (ec == http::error::body_limit) return error_response(errc::payload_too_large);
  if (ec == http::error::header_limit) return error_response(errc::bad_request, "headers are too large");
  if (ec == http::error::buffer_overflow) return error_response(errc::bad_request, "the request is too large");
  return error_response(errc::bad_request);
}

}  // namespace licensor::server
