// A webhook receiver on loopback for black-box tests: a plain HTTP/1.1 server on 127.0.0.1 (a
// free port) that records every request and answers what the test's `answerer` decides (200
// by default). One thread accepts; each connection gets its own thread, as a sender keeps
// several alive at once.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace licensor::testing {

struct received_request {
  std::string target;
  std::map<std::string, std::string> headers;  ///< names lower-cased
  std::string body;
  std::chrono::steady_clock::time_point at;
};

struct receiver_answer {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
};

class webhook_receiver {
 public:
  using answerer = std::function<receiver_answer(const received_request&, std::size_t index)>;
  /// What it keeps of each request: all of it (tests read them back), or only that it came
  /// (benchmarks: the receiver shares the machine with the server it measures, and stands for
  /// one that would run elsewhere, so it does as little as an HTTP server can).
  enum class keeping { every_request, count_only };
  /// Starts listening; `answer` is called for each request with its index (0 first), except
  /// when counting only (it then answers 200).
  explicit webhook_receiver(answerer answer = {}, keeping keep = keeping::every_request);
  ~webhook_receiver();
  webhook_receiver(const webhook_receiver&) = delete;
  webhook_receiver& operator=(const webhook_receiver&) = delete;

  [[nodiscard]] unsigned short port() const;
  /// "http://127.0.0.1:PORT" + path.
  [[nodiscard]] std::string url(const std::string& path = "/hook") const;
  /// Every request so far, in arrival order (none when counting only).
  [[nodiscard]] std::vector<received_request> requests() const;
  /// Waits until at least `count` requests arrived, or `patience` passed; returns the count.
  std::size_t wait_for(std::size_t count, std::chrono::milliseconds patience = std::chrono::seconds(20)) const;

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace licensor::testing
