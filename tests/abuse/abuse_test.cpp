// Abuse: slow clients that trickle bytes, a flood of idle connections, and brute force on
// activation and credentials. licensord must keep serving everyone else, close what stalls,
// and answer brute force with 429 and Retry-After.
#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <thread>

#include "support/https_client.hpp"
#include "support/licensor_api.hpp"
#include "support/licensord_process.hpp"

using namespace licensor::testing;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

tcp::endpoint loopback(unsigned short port) { return {net::ip::make_address("127.0.0.1"), port}; }

// The slowest of `count` health checks through one keep-alive client, in milliseconds.
double slowest_health_ms(licensord_process& server, int count) {
  auto client = server.client();
  client.timeout_set(std::chrono::seconds(5));
  double slowest = 0;
  for (int i = 0; i < count; ++i) {
    const auto begin = clock_type::now();
    const auto reply = client.get("/v1/health");
    REQUIRE(reply.status == 200);
    slowest = std::max(slowest, std::chrono::duration<double, std::milli>(clock_type::now() - begin).count());
  }
  return slowest;
}

}  // namespace

TEST_CASE("idle connections and byte-trickling clients neither block others nor stay open") {
  // One address holds all of them here: lift the per-address limit to see the timeouts work.
  licensord_process server({"--read-timeout", "2", "--idle-timeout", "2", "--threads", "2", "--max-client-connections", "1000"});
  net::io_context io;

  // 400 TCP connections that never start TLS.
  std::vector<tcp::socket> idle;
  for (int i = 0; i < 400; ++i) {
    idle.emplace_back(io);
    idle.back().connect(loopback(server.port()));
  }
  // 40 TLS connections that send a request one byte at a time, slower than the read timeout allows.
  net::ssl::context tls(net::ssl::context::tls_client);
  tls.set_verify_mode(net::ssl::verify_none);
  std::vector<std::unique_ptr<net::ssl::stream<tcp::socket>>> tricklers;
  for (int i = 0; i < 40; ++i) {
    tricklers.push_back(std::make_unique<net::ssl::stream<tcp::socket>>(io, tls));
    tricklers.back()->next_layer().connect(loopback(server.port()));
    tricklers.back()->handshake(net::ssl::stream_base::client);
  }
  std::atomic<int> closed_by_server{0};
  std::thread trickle([&] {
    const std::string request = "POST /v1/validate HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"token\":";
    for (std::size_t at = 0; at < request.size() && closed_by_server < 40; ++at) {
      for (auto& stream : tricklers) {
        if (!stream) continue;
        boost::system::error_code ec;
        net::write(*stream, net::buffer(&request[at], 1), ec);
        if (ec) {
          ++closed_by_server;
          stream.reset();
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
  });

  // Everyone else is served promptly meanwhile.
  CHECK(slowest_health_ms(server, 100) < 1000);
  trickle.join();
  // The read timeout (2 s) cut every trickler long before its request could complete (~10 s).
  CHECK(closed_by_server == 40);
  CHECK(slowest_health_ms(server, 20) < 1000);
  CHECK(server.stop() == 0);
}

TEST_CASE("brute force on activation keys is limited per key and per client, with Retry-After") {
  licensord_process server({"--activate-key-rate", "5", "--activate-rate", "20"});
  auto anyone = server.client();
  const nlohmann::json guess{{"activation_key", "0000-0000-0000-0000-0"}, {"email", "x@example.com"}};
  int refused = 0;
  for (int i = 0; i < 5; ++i) refused += anyone.post("/v1/activate", guess).status == 429;
  CHECK(refused == 0);
  const auto limited = anyone.post("/v1/activate", guess);
  CHECK(limited.status == 429);
  CHECK(limited.error_code() == "rate_limited");
  CHECK(std::stoi(limited.header("retry-after")) >= 1);

  // Other keys from the same client still go through, until the per-client budget (burst 11) runs out.
  int other_ok = 0;
  for (int i = 0; i < 20; ++i) {
    const auto other = anyone.post("/v1/activate", {{"activation_key", "1111-1111-1111-1111-" + std::string(1, "0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U"[i % 37])}, {"email", "x@example.com"}});
    if (other.status == 429) break;
    ++other_ok;
  }
  CHECK(other_ok > 0);
  CHECK(other_ok < 20);
}

TEST_CASE("guessing credentials is limited per client, with Retry-After") {
  licensord_process server({"--auth-failure-rate", "5"});
  auto guesser = server.client("lk_not-a-real-key");
  for (int i = 0; i < 5; ++i) CHECK(guesser.get("/v1/licenses").status == 401);
  const auto limited = guesser.get("/v1/licenses");
  CHECK(limited.status == 429);
  CHECK(limited.error_code() == "rate_limited");
  CHECK_FALSE(limited.header("retry-after").empty());
  // Unauthenticated endpoints stay open to that client.
  CHECK(guesser.request("GET", "/v1/health", {}, {{"Authorization", ""}}).status == 200);
  // Valid credentials from the same address (a NAT, a proxy) are not refused: only failures are.
  auto colleague = server.operator_client();
  CHECK(colleague.get("/v1/partners").status == 200);
  CHECK(guesser.get("/v1/licenses").status == 429);
  // Each failure the limiter let through is audited with the client's address, never the credential.
  // (They are written without holding up the refusal, so give the writer a moment.)
  auto failures = audit_entries(colleague, "auth.failed");
  for (int attempt = 0; attempt < 50 && failures.size() < 5; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    failures = audit_entries(colleague, "auth.failed");
  }
  CHECK(failures.size() == 5);
  for (const auto& entry : failures) {
    CHECK(entry.at("actor").get<std::string>().starts_with("client:127.0.0.1"));
    CHECK(entry.dump().find("lk_not-a-real-key") == std::string::npos);
  }
}

TEST_CASE("validation by activation key spends the activation budget: no free existence oracle") {
  licensord_process server({"--activate-key-rate", "5", "--activate-rate", "1000"});
  auto anyone = server.client();
  const nlohmann::json guess{{"activation_key", "0000-0000-0000-0000-0"}};
  for (int i = 0; i < 5; ++i) CHECK(anyone.post("/v1/validate", guess).status == 200);
  const auto limited = anyone.post("/v1/validate", guess);
  CHECK(limited.status == 429);
  CHECK(limited.error_code() == "rate_limited");
  // Activation of that key shares the budget.
  CHECK(anyone.post("/v1/activate", {{"activation_key", "0000-0000-0000-0000-0"}, {"email", "x@example.com"}}).status == 429);
}
