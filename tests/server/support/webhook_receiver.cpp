#include "support/webhook_receiver.hpp"

#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <thread>

namespace licensor::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct webhook_receiver::state {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor{io};
  answerer answer;
  keeping keep = keeping::every_request;
  mutable std::mutex mutex;
  std::size_t count = 0;
  mutable std::condition_variable arrived;
  std::vector<received_request> requests;
  std::vector<std::thread> connections;
  std::thread acceptor_thread;
  bool stopping = false;

  void serve(asio::ip::tcp::socket socket) {
    beast::error_code ec;
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      http::read(socket, buffer, request, ec);
      if (ec) return;
      receiver_answer decided;
      if (keep == keeping::count_only) {
        std::lock_guard lock(mutex);
        ++count;
      } else {
        decided = record(request);
      }
      arrived.notify_all();
      http::response<http::string_body> reply{static_cast<http::status>(decided.status), request.version()};
      for (const auto& [name, value] : decided.headers) reply.set(name, value);
      reply.keep_alive(request.keep_alive());
      reply.prepare_payload();
      http::write(socket, reply, ec);
      if (ec || !request.keep_alive()) return;
    }
  }

  // Keeps the request and asks the test's answerer what to answer.
  receiver_answer record(const http::request<http::string_body>& request) {
    received_request got;
    got.target = std::string(request.target());
    for (const auto& field : request) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      got.headers[name] = std::string(field.value());
    }
    got.body = request.body();
    got.at = std::chrono::steady_clock::now();
    std::size_t index = 0;
    {
      std::lock_guard lock(mutex);
      index = requests.size();
      requests.push_back(got);
      ++count;
    }
    return answer ? answer(got, index) : receiver_answer{};
  }
};

webhook_receiver::webhook_receiver(answerer answer, keeping keep) : state_(std::make_shared<state>()) {
  state_->answer = std::move(answer);
  state_->keep = keep;
  const asio::ip::tcp::endpoint at(asio::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(at.protocol());
  state_->acceptor.set_option(asio::socket_base::reuse_address(true));
  state_->acceptor.bind(at);
  state_->acceptor.listen();
  state_->acceptor_thread = std::thread([s = state_] {
    for (;;) {
      beast::error_code ec;
      asio::ip::tcp::socket socket(s->io);
      s->acceptor.accept(socket, ec);
      std::lock_guard lock(s->mutex);
      if (s->stopping) return;
      if (ec) continue;
      s->connections.emplace_back([s, socket = std::move(socket)]() mutable { s->serve(std::move(socket)); });
    }
  });
}

webhook_receiver::~webhook_receiver() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  // Wake the blocking accept with a connection of our own, then let the threads go: a
  // connection thread ends when its sender closes (it holds the state alive until then).
  try {
    asio::ip::tcp::socket poke(state_->io);
    poke.connect(state_->acceptor.local_endpoint());
  } catch (const std::exception&) {
  }
  state_->acceptor_thread.join();
  beast::error_code ec;
  state_->acceptor.close(ec);
  std::lock_guard lock(state_->mutex);
  for (auto& connection : state_->connections) connection.detach();
}

unsigned short webhook_receiver::port() const { return state_->acceptor.local_endpoint().port(); }

std::string webhook_receiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

std::vector<received_request> webhook_receiver::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

std::size_t webhook_receiver::wait_for(std::size_t count, std::chrono::milliseconds patience) const {
  std::unique_lock lock(state_->mutex);
  state_->arrived.wait_for(lock, patience, [&] { return state_->count >= count; });
  return state_->count;
}

}  // namespace licensor::testing
