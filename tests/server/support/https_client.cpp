#include "support/https_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "support/openapi_conformance.hpp"

namespace licensor::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Loopback, self-signed: no verification on purpose. TLS 1.2 is the floor, as the server's.
ssl::context client_tls_context() {
  ssl::context tls(ssl::context::tls_client);
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  tls.set_verify_mode(ssl::verify_none);
  return tls;
}

// Runs the asynchronous operation `start` (which calls its handler with an error code) to the
// end on `io`, so every step obeys the tcp_stream's expiry.
template <class Start>
beast::error_code run_async(net::io_context& io, Start&& start) {
  beast::error_code result = net::error::would_block;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

response response_from(http::response<http::string_body>&& message) {
  response out;
  out.status = message.result_int();
  for (const auto& field : message) {
    const auto name = field.name_string();
    const auto value = field.value();
    const auto key = lower(std::string_view(name.data(), name.size()));
    std::string text(value.data(), value.size());
    if (key == "set-cookie") out.set_cookies.push_back(text);
    out.headers.try_emplace(key, std::move(text));
  }
  out.body = std::move(message.body());
  auto parsed = nlohmann::json::parse(out.body, nullptr, /*allow_exceptions=*/false);
  out.json = parsed.is_discarded() ? nlohmann::json() : std::move(parsed);
  return out;
}

bool is_connection_gone(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == ssl::error::stream_truncated ||
         ec == net::error::connection_aborted;
}

}  // namespace

std::string response::header(std::string_view name) const {
  const auto it = headers.find(lower(name));
  return it == headers.end() ? std::string() : it->second;
}

bool response::has_error_shape() const {
  if (!json.is_object() || json.size() != 1 || !json.contains("error")) return false;
  const auto& error = json["error"];
  return error.is_object() && error.size() == 2 && error.contains("code") && error["code"].is_string() &&
         !error["code"].get_ref<const std::string&>().empty() && error.contains("message") &&
         error["message"].is_string();
}

std::string response::error_code() const {
  return has_error_shape() ? json["error"]["code"].get<std::string>() : std::string();
}

struct https_client::connection {
  net::io_context io{1};
  ssl::context tls = client_tls_context();
  beast::ssl_stream<beast::tcp_stream> stream{io, tls};
  beast::flat_buffer buffer;
};

https_client::https_client(unsigned short port, std::string bearer, std::string host)
    : host_(std::move(host)), port_(port), bearer_(std::move(bearer)) {}
https_client::~https_client() = default;
https_client::https_client(https_client&&) noexcept = default;
https_client& https_client::operator=(https_client&&) noexcept = default;

void https_client::close() { connection_.reset(); }

void https_client::connect() {
  auto fresh = std::make_unique<connection>();
  const tcp::endpoint endpoint(net::ip::make_address(host_), port_);
  auto& lowest = beast::get_lowest_layer(fresh->stream);
  if (!source_address_.empty()) {
    lowest.socket().open(endpoint.protocol());
    lowest.socket().bind(tcp::endpoint(net::ip::make_address(source_address_), 0));
  }
  lowest.expires_after(timeout_);
  if (auto ec = run_async(fresh->io, [&](auto handler) { lowest.async_connect(endpoint, handler); }))
    throw std::runtime_error("https_client: connect to port " + std::to_string(port_) + ": " + ec.message());
  lowest.socket().set_option(tcp::no_delay(true));
  lowest.expires_after(timeout_);
  if (auto ec = run_async(fresh->io, [&](auto handler) { fresh->stream.async_handshake(ssl::stream_base::client, handler); }))
    throw std::runtime_error("https_client: TLS handshake: " + ec.message());
  connection_ = std::move(fresh);
  ++connections_opened_;
}

response https_client::request(std::string_view method, std::string_view target, std::string_view body,
                               const header_list& headers) {
  http::request<http::string_body> message;
  message.method_string(beast::string_view(method.data(), method.size()));
  message.target(beast::string_view(target.data(), target.size()));
  message.version(11);
  message.set(http::field::host, host_ + ":" + std::to_string(port_));  // as browsers send it
  if (!bearer_.empty()) message.set(http::field::authorization, "Bearer " + bearer_);
  if (!body.empty()) message.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) message.set(name, value);
  message.body() = std::string(body);
  message.keep_alive(true);
  message.prepare_payload();

  for (int attempt = 0;; ++attempt) {
    const bool reused = connection_ != nullptr;
    if (!connection_) connect();
    auto& c = *connection_;
    auto& lowest = beast::get_lowest_layer(c.stream);

    // The read is started together with the write: the server may answer before it has read
    // the whole body (e.g. 413 for a body over its limit) and then hang up, which fails the
    // write. The answer counts; a write still pending once it is in is cancelled.
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    lowest.expires_after(timeout_);
    beast::error_code write_error = net::error::would_block;
    beast::error_code read_error = net::error::would_block;
    bool write_done = false;
    http::async_write(c.stream, message, [&](beast::error_code ec, std::size_t) {
      write_error = ec;
      write_done = true;
    });
    http::async_read(c.stream, c.buffer, parser, [&](beast::error_code ec, std::size_t) {
      read_error = ec;
      if (!write_done) lowest.cancel();
    });
    c.io.restart();
    c.io.run();
    if (read_error) {
      const bool nothing_read = !parser.got_some();
      close();
      // The server may have closed an idle keep-alive connection: one retry on a fresh one.
      if (reused && attempt == 0 && nothing_read && (is_connection_gone(read_error) || is_connection_gone(write_error)))
        continue;
      const bool write_failed = write_error && write_error != net::error::operation_aborted;
      throw std::runtime_error("https_client: " + std::string(write_failed ? "write " : "read ") + std::string(target) +
                               ": " + (write_failed ? write_error : read_error).message());
    }
    if (write_error) close();  // answered before the whole request went out: the connection is spent
    auto reply = parser.release();
    const bool keep_alive = reply.keep_alive();
    auto out = response_from(std::move(reply));
    if (!keep_alive) close();
    if (openapi_conformance_enabled()) openapi_conformance_check(port_, method, target, out);
    return out;
  }
}

std::string tls_raw_exchange(unsigned short port, std::string_view bytes, std::chrono::milliseconds timeout,
                             std::string host) {
  net::io_context io{1};
  auto tls = client_tls_context();
  beast::ssl_stream<beast::tcp_stream> stream(io, tls);
  auto& lowest = beast::get_lowest_layer(stream);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  lowest.expires_at(deadline);
  const tcp::endpoint endpoint(net::ip::make_address(host), port);
  if (auto ec = run_async(io, [&](auto handler) { lowest.async_connect(endpoint, handler); }))
    throw std::runtime_error("tls_raw_exchange: connect: " + ec.message());
  lowest.expires_at(deadline);
  if (auto ec = run_async(io, [&](auto handler) { stream.async_handshake(ssl::stream_base::client, handler); }))
    throw std::runtime_error("tls_raw_exchange: TLS handshake: " + ec.message());
  lowest.expires_at(deadline);
  // A write error (the server hung up early) still leaves whatever it answered to read.
  (void)run_async(io, [&](auto handler) { net::async_write(stream, net::buffer(bytes.data(), bytes.size()), handler); });
  std::string received;
  char chunk[4096];
  for (;;) {
    std::size_t got = 0;
    lowest.expires_at(deadline);
    beast::error_code result = net::error::would_block;
    stream.async_read_some(net::buffer(chunk), [&](beast::error_code ec, std::size_t n) {
      result = ec;
      got = n;
    });
    io.restart();
    io.run();
    received.append(chunk, got);
    if (result) break;
  }
  return received;
}

response http_response_parse(std::string_view raw) {
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  beast::error_code ec;
  std::size_t used = 0;
  while (!parser.is_done() && used < raw.size()) {
    const auto n = parser.put(net::buffer(raw.data() + used, raw.size() - used), ec);
    if (ec || n == 0) break;
    used += n;
  }
  if (!parser.is_done()) return {};
  return response_from(parser.release());
}

}  // namespace licensor::testing
