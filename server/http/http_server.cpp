#include "http/http_server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <sys/resource.h>

#include <boost/asio/steady_timer.hpp>

#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "http/request_reader.hpp"
#include "http/tls_context.hpp"
#include "licensor/rfc3339.hpp"
#include "licensor/thread_name.hpp"

namespace licensor::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// What the front counts: TLS handshakes by outcome and connections refused at accept.
struct front_counters {
  explicit front_counters(metrics::registry& registry)
      : handshakes_ok(registry.counter_at("licensor_tls_handshakes_total", "TLS handshakes by outcome", {{"result", "ok"}})),
        handshakes_failed(registry.counter_at("licensor_tls_handshakes_total", "TLS handshakes by outcome", {{"result", "failed"}})),
        connections_refused(registry.counter_at("licensor_connections_refused_total",
                                                "Connections closed at accept: over a connection limit")) {}
  metrics::counter& handshakes_ok;
  metrics::counter& handshakes_failed;
  metrics::counter& connections_refused;
};

struct http_server::state {
  state(request_handler h, std::shared_ptr<tls_context> t, http_options o)
      : handler(std::move(h)), tls(std::move(t)), options(std::move(o)),
        counted(options.metrics != nullptr ? *options.metrics : uncounted) {}
  request_handler handler;
  std::shared_ptr<tls_context> tls;
  http_options options;
  metrics::registry uncounted;  ///< counts nobody reads, when no registry was given
  front_counters counted;
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> handshakes{0};
  std::mutex per_client_mutex;
  std::unordered_map<std::string, std::size_t> per_client;  ///< open connections by address
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> draining{false};
  std::atomic<bool> stopper_done{false};  ///< stop()'s thread no longer touches `contexts`
};

namespace {

using state_ptr = std::shared_ptr<http_server::state>;

void log_request(const http_server::state& s, const api_request& request, unsigned status,
                 std::chrono::steady_clock::time_point started) {
  if (!s.options.log_requests) return;
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  // Only the method, path, status and timing: never headers, bodies, queries or tokens.
  const nlohmann::json line{{"at", rfc3339_format(std::time(nullptr))}, {"client", request.client},
                            {"method", request.method}, {"path", request.target.substr(0, request.target.find('?'))},
                            {"status", status}, {"us", micros}, {"request_id", request.request_id}};
  std::fprintf(stderr, "%s\n", json_text(line).c_str());
}

// One connection's place in the limits, taken at accept and given back when the session ends.
class connection_slot {
 public:
  static std::optional<connection_slot> take(const state_ptr& s, const std::string& client) {
    const auto& limits = s->options.limits;
    std::lock_guard lock(s->per_client_mutex);  // one check-and-take for all three limits
    if (s->connections.load() >= limits.max_connections || s->handshakes.load() >= limits.max_handshakes)
      return std::nullopt;
    auto& open = s->per_client[client];
    if (open >= limits.max_connections_per_client) {
      if (open == 0) s->per_client.erase(client);
      return std::nullopt;
    }
    ++open;
    ++s->connections;
    ++s->handshakes;
    return connection_slot(s, client);
  }
  connection_slot(connection_slot&& other) noexcept
      : state_(std::move(other.state_)), client_(std::move(other.client_)), in_handshake_(other.in_handshake_) {}
  connection_slot(const connection_slot&) = delete;
  connection_slot& operator=(const connection_slot&) = delete;
  connection_slot& operator=(connection_slot&&) = delete;
  ~connection_slot() {
    if (!state_) return;
    handshake_done();
    --state_->connections;
    std::lock_guard lock(state_->per_client_mutex);
    if (auto it = state_->per_client.find(client_); it != state_->per_client.end() && --it->second == 0)
      state_->per_client.erase(it);
  }
  void handshake_done() {
    if (in_handshake_) --state_->handshakes;
    in_handshake_ = false;
  }
  [[nodiscard]] const std::string& client() const { return client_; }

 private:
  connection_slot(state_ptr s, std::string client) : state_(std::move(s)), client_(std::move(client)) {}
  state_ptr state_;
  std::string client_;
  bool in_handshake_ = true;
};

class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, state_ptr s, connection_slot slot)
      : stream_(std::move(socket), s->tls->context), state_(std::move(s)), slot_(std::move(slot)),
        reader_(state_->options.limits) {}

  void start() {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().set_option(tcp::no_delay(true), ec);
    beast::get_lowest_layer(stream_).expires_after(state_->options.limits.handshake_timeout);
    stream_.async_handshake(net::ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code error) { self->on_handshake(error); });
  }

 private:
  void on_handshake(beast::error_code ec) {
    slot_.handshake_done();
    (ec ? state_->counted.handshakes_failed : state_->counted.handshakes_ok).add();
    if (ec) return;
    do_read();
  }

  void do_read() {
    auto& parser = reader_.next();
    // The idle timeout covers waiting for a request; the read timeout, receiving it whole.
    beast::get_lowest_layer(stream_).expires_after(state_->options.limits.idle_timeout);
    http::async_read_header(stream_, reader_.buffer(), parser,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    if (auto refusal = reader_.header_refusal()) return answer_and_close(error_response(errc::bad_request, *refusal));
    beast::get_lowest_layer(stream_).expires_after(state_->options.limits.read_timeout);
    http::async_read(stream_, reader_.buffer(), reader_.parser(),
                     [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_read(error); });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::ssl::error::stream_truncated || ec == net::error::eof || ec == net::error::connection_reset)
      return do_close();
    // Whatever a client sent, it gets a 4xx with the error shape and the connection closes.
    answer_and_close(read_error_response(ec));
  }

  void answer_and_close(api_response response) {
    api_request request;
    request.client = slot_.client();
    request.request_id = request_id_new();
    started_ = std::chrono::steady_clock::now();
    ++state_->in_flight;
    do_write(request, std::move(response), false);
  }

  void on_read(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    started_ = std::chrono::steady_clock::now();
    auto received = std::make_shared<received_request>(reader_.take(slot_.client()));
    ++state_->in_flight;
    state_->handler(received->request, [self = shared_from_this(), received](api_response response) mutable {
      // Answers may come from the group-commit writer: hop back to this connection's thread
      // (dispatch runs inline when the answer is already on it, as for reads). The session moves
      // out of the responder: whoever holds the responder afterwards (a job thread at shutdown)
      // must not be the last owner of a session whose I/O context is gone.
      auto session = std::move(self);
      const auto executor = session->stream_.get_executor();
      net::dispatch(executor, [session = std::move(session), received, response = std::move(response)]() mutable {
        session->do_write(received->request, std::move(response), received->keep_alive);
      });
    });
  }
  void do_write(const api_request& request, api_response response, bool keep_alive) {
    auto reply = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), 11);
    reply->set(http::field::server, "licensord");
    reply->set(http::field::content_type, response.content_type);
    reply->set(http::field::cache_control, response.cache_control);
    for (const auto& [name, value] : response.headers) reply->set(name, value);
    reply->set("X-Request-Id", request.request_id);
    if (response.retry_after_seconds) reply->set(http::field::retry_after, std::to_string(*response.retry_after_seconds));
    for (const auto& cookie : response.set_cookies) reply->insert(http::field::set_cookie, cookie);
    reply->body() = response.raw_body.empty() ? json_text(response.body) : std::move(response.raw_body);
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
  connection_slot slot_;
  request_reader reader_;
  std::chrono::steady_clock::time_point started_;
};

// Accept errors that are about this process's resources (EMFILE, ENFILE, ENOBUFS, ENOMEM)
// would fail again at once: wait before the next accept instead of spinning.
constexpr auto accept_backoff = std::chrono::milliseconds(100);

void do_accept(const state_ptr& s, tcp::acceptor& acceptor, net::io_context& context) {
  acceptor.async_accept(context, [s, &acceptor, &context](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      std::fprintf(stderr, "licensord: accept failed (%s); retrying in %lld ms\n", ec.message().c_str(),
                   static_cast<long long>(accept_backoff.count()));
      auto timer = std::make_shared<net::steady_timer>(context, accept_backoff);
      timer->async_wait([s, &acceptor, &context, timer](beast::error_code) { do_accept(s, acceptor, context); });
      return;
    }
    beast::error_code ignored;
    const auto remote = socket.remote_endpoint(ignored);
    const auto client = ignored ? std::string("unknown") : remote.address().to_string();
    // Over a limit: refuse before spending a handshake on it.
    if (auto slot = connection_slot::take(s, client))
      std::make_shared<session>(std::move(socket), s, std::move(*slot))->start();
    else {
      s->counted.connections_refused.add();
      socket.close(ignored);
    }
    do_accept(s, acceptor, context);
  });
}

// Runs one worker's io_context until it is stopped. An exception thrown by a handler (a parser
// or allocator failure on one connection) unwinds only that handler, whose connection closes
// with it; the worker logs it and goes on serving the others.
void worker_run(net::io_context& context) {
  for (;;) {
    try {
      context.run();
      return;
    } catch (const std::exception& error) {
      std::fprintf(stderr, "licensord: a connection failed with an exception (%s); serving on\n", error.what());
    } catch (...) {
      std::fprintf(stderr, "licensord: a connection failed with an unknown exception; serving on\n");
    }
  }
}

// Descriptors kept for everything that is not a connection: the store, key files, listeners,
// logs, the writer's and the scheduler's files.
constexpr rlim_t descriptors_reserved = 128;

// Raises the soft file-descriptor limit to the hard one and fits the connection limits under it.
void descriptor_limits_fit(http_limits& limits) {
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) != 0) return;
  if (files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &files);
    (void)::getrlimit(RLIMIT_NOFILE, &files);
  }
  const rlim_t usable = files.rlim_cur > 2 * descriptors_reserved ? files.rlim_cur - descriptors_reserved
                                                                  : files.rlim_cur / 2;
  if (limits.max_connections > usable) {
    std::fprintf(stderr, "licensord: %llu open files allowed: serving at most %llu connections\n",
                 static_cast<unsigned long long>(files.rlim_cur), static_cast<unsigned long long>(usable));
    limits.max_connections = static_cast<std::size_t>(usable);
  }
  limits.max_handshakes = std::min(limits.max_handshakes, limits.max_connections);
  limits.max_connections_per_client = std::min(limits.max_connections_per_client, limits.max_connections);
}

}  // namespace

http_server::http_server(request_handler handler, std::shared_ptr<tls_context> tls, http_options options)
    : state_(std::make_shared<state>(std::move(handler), std::move(tls), std::move(options))) {
  if (state_->options.threads == 0) state_->options.threads = std::max(1u, std::thread::hardware_concurrency());
}

http_server::~http_server() { stop(); }

result<unsigned short> http_server::listen() {
  descriptor_limits_fit(state_->options.limits);
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
    threads.emplace_back([context = state_->contexts[i].get(), i] {
      thread_name_set("https-" + std::to_string(i));
      worker_run(*context);
    });
  // The calling thread keeps its name: renaming the main thread would rename the process.
  if (!state_->contexts.empty()) worker_run(*state_->contexts[0]);
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
