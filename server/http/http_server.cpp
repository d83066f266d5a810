#include "http/http_server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <cstdio>
#include <optional>
#include <thread>

#include "licensor/rfc3339.hpp"

namespace licensor::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct http_server::state {
  state(request_handler h, std::shared_ptr<net::ssl::context> t, http_options o)
      : handler(std::move(h)), tls(std::move(t)), options(std::move(o)) {}
  request_handler handler;
  std::shared_ptr<net::ssl::context> tls;
  http_options options;
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> draining{false};
  std::atomic<bool> stopper_done{false};  ///< stop()'s thread no longer touches `contexts`
};

namespace {

using state_ptr = std::shared_ptr<http_server::state>;

// Client bytes may be invalid UTF-8; replace rather than throw on a worker thread.
std::string json_dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void log_request(const http_server::state& s, const api_request& request, unsigned status,
                 std::chrono::steady_clock::time_point started) {
  if (!s.options.log_requests) return;
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  // Only the method, path, status and timing: never headers, bodies, queries or tokens.
  const nlohmann::json line{{"at", rfc3339_format(std::time(nullptr))}, {"client", request.client},
                            {"method", request.method}, {"path", request.target.substr(0, request.target.find('?'))},
                            {"status", status}, {"us", micros}};
  std::fprintf(stderr, "%s\n", json_dump(line).c_str());
}

class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, state_ptr s) : stream_(std::move(socket), *s->tls), state_(std::move(s)) {
    ++state_->connections;
  }
  ~session() { --state_->connections; }

  void start() {
    beast::error_code ec;
    const auto remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    client_ = ec ? "unknown" : remote.address().to_string();
    beast::get_lowest_layer(stream_).socket().set_option(tcp::no_delay(true), ec);
    beast::get_lowest_layer(stream_).expires_after(state_->options.limits.handshake_timeout);
    stream_.async_handshake(net::ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code error) { self->on_handshake(error); });
  }

 private:
  void on_handshake(beast::error_code ec) {
    if (ec) return;
    do_read();
  }

  void do_read() {
    parser_.emplace();
    parser_->body_limit(state_->options.limits.body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(state_->options.limits.header_bytes));
    // The idle timeout covers waiting for a request; the read timeout, receiving it whole.
    beast::get_lowest_layer(stream_).expires_after(state_->options.limits.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    beast::get_lowest_layer(stream_).expires_after(state_->options.limits.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_read(error); });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::ssl::error::stream_truncated || ec == net::error::eof || ec == net::error::connection_reset)
      return do_close();
    // Whatever a client sent, it gets a 4xx with the error shape and the connection closes.
    const errc code = (ec == http::error::body_limit) ? errc::payload_too_large : errc::bad_request;
    api_request request;
    request.client = client_;
    started_ = std::chrono::steady_clock::now();
    ++state_->in_flight;
    do_write(request, error_response(code, ec == http::error::header_limit ? "headers are too large" : ""), false);
  }

  void on_read(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    started_ = std::chrono::steady_clock::now();
    auto message = parser_->release();
    auto request = std::make_shared<api_request>();
    request->method = std::string(message.method_string());
    request->target = std::string(message.target());
    request->body = std::move(message.body());
    request->authorization = std::string(message[http::field::authorization]);
    request->idempotency_key = std::string(message["Idempotency-Key"]);
    request->client = client_;
    const bool keep_alive = message.keep_alive();
    ++state_->in_flight;
    state_->handler(*request, [self = shared_from_this(), request, keep_alive](api_response response) {
      // Answers may come from the group-commit writer: hop back to this connection's thread
      // (dispatch runs inline when the answer is already on it, as for reads).
      net::dispatch(self->stream_.get_executor(), [self, request, keep_alive, response = std::move(response)]() mutable {
        self->do_write(*request, std::move(response), keep_alive);
      });
    });
  }

  void do_write(const api_request& request, api_response response, bool keep_alive) {
    auto reply = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), 11);
    reply->set(http::field::server, "licensord");
    reply->set(http::field::content_type, response.content_type);
    reply->set(http::field::cache_control, "no-store");
    if (response.retry_after_seconds) reply->set(http::field::retry_after, std::to_string(*response.retry_after_seconds));
    reply->body() = response.raw_body.empty() ? json_dump(response.body) : std::move(response.raw_body);
    reply->keep_alive(keep_alive && !state_->draining.load());
    reply->prepare_payload();
    log_request(*state_, request, response.status, started_);
    beast::get_lowest_layer(stream_).expires_after(state_->options.limits.read_timeout);
    http::async_write(stream_, *reply, [self = shared_from_this(), reply](beast::error_code ec, std::size_t) {
      --self->state_->in_flight;
      if (ec || !reply->keep_alive()) return self->do_close();
      self->do_read();
    });
  }

  void do_close() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().close(ignored);
    });
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  state_ptr state_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string client_;
  std::chrono::steady_clock::time_point started_;
};

void do_accept(const state_ptr& s, tcp::acceptor& acceptor, net::io_context& context) {
  acceptor.async_accept(context, [s, &acceptor, &context](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      if (s->connections.load() >= s->options.limits.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);  // over the limit: refuse before spending a handshake on it
      } else {
        std::make_shared<session>(std::move(socket), s)->start();
      }
    }
    do_accept(s, acceptor, context);
  });
}

}  // namespace

http_server::http_server(request_handler handler, std::shared_ptr<net::ssl::context> tls, http_options options)
    : state_(std::make_shared<state>(std::move(handler), std::move(tls), std::move(options))) {
  if (state_->options.threads == 0) state_->options.threads = std::max(1u, std::thread::hardware_concurrency());
}

http_server::~http_server() { stop(); }

result<unsigned short> http_server::listen() {
  beast::error_code ec;
  const auto address = net::ip::make_address(state_->options.address, ec);
  if (ec) return errc::io_error;
  unsigned short port = state_->options.port;
  for (unsigned i = 0; i < state_->options.threads; ++i) {
    auto context = std::make_unique<net::io_context>(1);
    auto acceptor = std::make_unique<tcp::acceptor>(*context);
    const tcp::endpoint endpoint(address, port);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) {
      const int one = 1;
      if (::setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) return errc::io_error;
      acceptor->bind(endpoint, ec);
    }
    if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec) return errc::io_error;
    port = acceptor->local_endpoint().port();  // with port 0, the next listeners share the first's port
    state_->contexts.push_back(std::move(context));
    state_->acceptors.push_back(std::move(acceptor));
  }
  return port;
}

void http_server::run() {
  for (std::size_t i = 0; i < state_->contexts.size(); ++i)
    do_accept(state_, *state_->acceptors[i], *state_->contexts[i]);
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < state_->contexts.size(); ++i)
    threads.emplace_back([context = state_->contexts[i].get()] { context->run(); });
  if (!state_->contexts.empty()) state_->contexts[0]->run();
  for (auto& thread : threads) thread.join();
  // Queued handlers hold sessions and sessions hold this state: destroy the contexts (and so
  // the handlers) now, or that cycle leaks every connection open at shutdown (LeakSanitizer).
  while (state_->draining.load() && !state_->stopper_done.load())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  state_->acceptors.clear();
  state_->contexts.clear();
}

void http_server::stop() {
  if (state_->draining.exchange(true)) return;
  for (std::size_t i = 0; i < state_->acceptors.size(); ++i) {
    net::post(*state_->contexts[i], [acceptor = state_->acceptors[i].get()] {
      beast::error_code ignored;
      acceptor->close(ignored);
    });
  }
  // Requests in flight finish and are answered; idle keep-alive connections are dropped.
  std::thread([s = state_] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (s->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    for (auto& context : s->contexts) context->stop();
    s->stopper_done = true;
  }).detach();
}

}  // namespace licensor::server
