#include "load_generator.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <memory>

namespace licensor::bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

// The request line, headers and body of `request` as licensord's clients send them.
http::request<http::string_body> message_of(const load_request& request) {
  http::request<http::string_body> message{http::string_to_verb(request.method), request.target, 11};
  message.set(http::field::host, "127.0.0.1");
  message.set(http::field::content_type, "application/json");
  if (!request.authorization.empty()) message.set(http::field::authorization, request.authorization);
  if (!request.cookie.empty()) message.set(http::field::cookie, request.cookie);
  message.body() = request.body;
  message.keep_alive(true);
  message.prepare_payload();
  return message;
}

struct shared_state {
  load_result result;
  clock_type::time_point deadline;
  const request_source* next = nullptr;
  const response_sink* sink = nullptr;
};

class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(net::io_context& io, net::ssl::context& tls, unsigned id, shared_state& state)
      : stream_(io, tls), id_(id), state_(state) {}

  void start(const tcp::endpoint& endpoint) {
    beast::get_lowest_layer(stream_).async_connect(endpoint, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail();
      beast::get_lowest_layer(self->stream_).socket().set_option(tcp::no_delay(true));
      self->stream_.async_handshake(net::ssl::stream_base::client, [self](beast::error_code error) {
        if (error) return self->fail();
        self->send();
      });
    });
  }

 private:
  void send() {
    if (clock_type::now() >= state_.deadline) return;
    const auto next = (*state_.next)(id_, sent_);
    if (!next) return;
    ++sent_;
    request_ = message_of(*next);
    started_ = clock_type::now();
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail();
      self->response_ = {};
      http::async_read(self->stream_, self->buffer_, self->response_, [self](beast::error_code error, std::size_t) {
        if (error) return self->fail();
        const auto elapsed = std::chrono::duration<double, std::micro>(clock_type::now() - self->started_).count();
        if (*self->state_.sink) (*self->state_.sink)(self->id_, self->sent_ - 1, self->response_.result_int(), self->response_.body());
        if (self->response_.result_int() / 100 == 2) {
          ++self->state_.result.completed;
          self->state_.result.latencies_us.push_back(elapsed);
        } else {
          ++self->state_.result.failed;
        }
        self->send();
      });
    });
  }

  void fail() { ++state_.result.failed; }

  beast::ssl_stream<beast::tcp_stream> stream_;
  unsigned id_;
  shared_state& state_;
  std::uint64_t sent_ = 0;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  beast::flat_buffer buffer_;
  clock_type::time_point started_;
};

}  // namespace

double load_result::percentile_us(double p) const {
  if (latencies_us.empty()) return 0;
  auto sorted = latencies_us;
  const auto index = std::min(sorted.size() - 1, static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size())));
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(index), sorted.end());
  return sorted[index];
}

load_reply load_once(unsigned short port, const load_request& request) {
  net::io_context io(1);
  net::ssl::context tls(net::ssl::context::tls_client);
  tls.set_verify_mode(net::ssl::verify_none);
  beast::ssl_stream<beast::tcp_stream> stream(io, tls);
  beast::get_lowest_layer(stream).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  stream.handshake(net::ssl::stream_base::client);
  auto message = message_of(request);
  message.keep_alive(false);
  http::write(stream, message);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  const std::string set_cookie(response[http::field::set_cookie]);
  return {response.result_int(), response.body(), set_cookie.substr(0, set_cookie.find(';'))};
}

load_result load_run(unsigned short port, const load_options& options, const request_source& next,
                     const response_sink& sink) {
  net::io_context io(1);
  net::ssl::context tls(net::ssl::context::tls_client);
  tls.set_verify_mode(net::ssl::verify_none);  // loopback benchmark against a self-signed certificate
  shared_state state;
  state.next = &next;
  state.sink = &sink;
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
  const auto begin = clock_type::now();
  state.deadline = begin + options.duration;
  for (unsigned i = 0; i < options.clients; ++i) std::make_shared<connection>(io, tls, i, state)->start(endpoint);
  io.run();
  state.result.seconds = std::chrono::duration<double>(clock_type::now() - begin).count();
  return std::move(state.result);
}

}  // namespace licensor::bench
