// Junk: many random requests (routes, methods, headers, bodies, framing, credentials, chunked
// trailers and extensions of every size) against one licensord. None may be answered with a
// 5xx, the server must stay alive and serving, and its memory bounded.
//
// LICENSOR_JUNK_REQUESTS sets how many (default 20,000 for CI; the hardening report ran
// 100,000: LICENSOR_JUNK_REQUESTS=100000 build/tests/abuse/abuse_tests -tc="*junk*").
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "support/https_client.hpp"
#include "support/licensor_api.hpp"
#include "support/licensord_process.hpp"

using namespace licensor::testing;

namespace {

const std::vector<std::string> routes{
    "/v1/health", "/v1/openapi.json", "/v1/keyring", "/v1/activate", "/v1/validate", "/v1/partners",
    "/v1/partners/p_x", "/v1/partners/p_x/api-keys", "/v1/products", "/v1/products/prod", "/v1/audit",
    "/v1/keys/rotate", "/v1/keys/k4.pid.x/revoke", "/v1/customers", "/v1/customers/c_x", "/v1/licenses",
    "/v1/licenses/lic_x", "/v1/licenses/lic_x/token", "/v1/licenses/lic_x/suspend", "/v1/licenses/lic_x/transfer",
    "/v1/subscriptions", "/v1/licenses/lic_x/seats", "/v1/licenses/lic_x/members", "/v1/licenses/lic_x/cancel",
    "/v1/ledger", "/v1/usage", "/", "/v1", "/v1/licenses?limit=-1", "/v1/licenses?after=%ff%00",
    "/v1/audit?limit=99999999999999999999", "/../../etc/passwd", "/v1/licenses/%2e%2e/token", "*"};
const std::vector<std::string> methods{"GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS", "BREW", "get", ""};
const std::vector<std::string> bodies{
    "", "{}", "[]", "null", "{", "{\"token\":1}", "{\"activation_key\":\"0000-0000-0000-0000-0\",\"email\":\"a@b.c\"}",
    "{\"email\":\"\\ud800\"}", "{\"seats\":1e308}", "{\"customer_id\":\"c\",\"product\":\"p\",\"kind\":\"free\"}",
    "\xff\xfe\x00", "{\"a\":" + std::string(5000, '[') + "}"};

struct junk_source {
  std::mt19937_64 random;
  template <class T>
  const T& pick(const std::vector<T>& from) { return from[random() % from.size()]; }
  std::size_t size_any() {  // sizes of every order: 0 .. 200 KiB
    static const std::size_t sizes[] = {0, 1, 10, 100, 1000, 8000, 8200, 65'530, 65'536, 70'000, 200'000};
    return sizes[random() % std::size(sizes)];
  }
  std::string text(std::size_t size) {
    std::string out(size, 'a');
    for (auto& c : out) c = static_cast<char>(' ' + random() % 95);
    return out;
  }

  // A well-framed request with random contents, for a keep-alive client.
  void framed(std::string& method, std::string& target, std::string& body, header_list& headers) {
    method = pick(methods);
    if (method.empty()) method = "GET";
    target = pick(routes);
    body = random() % 8 == 0 ? text(size_any() % 70'000) : pick(bodies);
    headers.clear();
    if (random() % 2) headers.emplace_back("Idempotency-Key", text(random() % 300 + 1));
    if (random() % 3 == 0) headers.emplace_back("Authorization", pick(std::vector<std::string>{"Bearer", "Bearer lk_x", "Basic abc", "Bearer " + text(100)}));
    if (random() % 4 == 0) headers.emplace_back("X-" + std::to_string(random() % 1000), text(random() % 2000));
  }

  // Raw bytes with broken or hostile framing.
  std::string raw() {
    const auto head = pick(methods) + " " + pick(routes) + " HTTP/1.1\r\nHost: x\r\n";
    switch (random() % 8) {
      case 0: return head + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-T: " + text(size_any()) + "\r\n\r\n";
      case 1: return head + "Transfer-Encoding: chunked\r\n\r\n1;" + text(size_any()) + "\r\nx\r\n0\r\n\r\n";
      case 2: return head + "Transfer-Encoding: " + pick(std::vector<std::string>{"xchunked", "chunked, identity", "\r\n chunked", "gzip"}) + "\r\n\r\n";
      case 3: return head + "Content-Length: " + pick(std::vector<std::string>{"-1", "1e3", "99999999999999999999", "2, 3", ""}) + "\r\n\r\nab";
      case 4: return pick(methods) + " " + pick(routes) + " HTTP/1.1\r\n\r\n";  // no Host
      case 5: return head + "Host: y\r\nConnection: close\r\n\r\n";
      case 6: return head + "Connection: close\r\nX-Long: " + text(size_any()) + "\r\n\r\n";
      default: return text(size_any() % 3000) + "\r\n\r\n";
    }
  }
};

long status_kib(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with(field + ":")) return std::stol(line.substr(field.size() + 1));
  return -1;
}

}  // namespace

TEST_CASE("junk requests: never a 5xx, the server lives and its memory stays bounded") {
  const char* configured = std::getenv("LICENSOR_JUNK_REQUESTS");
  const long total = configured ? std::atol(configured) : 20'000;
  // Short timeouts: a hostile request that leaves its connection open costs 1 s, not 60.
  licensord_process server({"--read-timeout", "1", "--idle-timeout", "1", "--threads", "2"});
  const auto operator_token = server.operator_token();
  constexpr int threads = 4;
  std::atomic<long> sent{0}, server_errors{0}, answered{0};
  std::mutex mutex;
  std::vector<std::string> failures;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      junk_source junk{std::mt19937_64(0x5eed0000u + static_cast<unsigned>(t))};
      auto client = server.client(t % 2 ? operator_token : "");
      client.timeout_set(std::chrono::seconds(10));
      std::string method, target, body;
      header_list headers;
      for (long n; (n = sent.fetch_add(1)) < total;) {
        try {
          unsigned status = 0;
          if (n % 10 == 0) {  // one in ten: hostile framing on its own connection
            status = http_response_parse(tls_raw_exchange(server.port(), junk.raw(), std::chrono::seconds(5))).status;
          } else {
            junk.framed(method, target, body, headers);
            status = client.request(method, target, body, headers).status;
          }
          if (status != 0) ++answered;
          if (status >= 500) {
            ++server_errors;
            std::lock_guard lock(mutex);
            failures.push_back(method + " " + target + " answered " + std::to_string(status));
          }
        } catch (const std::exception& error) {
          client.close();
          std::lock_guard lock(mutex);
          if (failures.size() < 20) failures.emplace_back(error.what());
        }
      }
    });
  }
  for (auto& worker : workers) worker.join();
  for (const auto& failure : failures) MESSAGE(failure.substr(0, 400));
  const auto peak_kib = status_kib(server.pid(), "VmHWM");
  MESSAGE(total, " junk requests: ", answered.load(), " answered, ", server_errors.load(), " 5xx; licensord peak RSS ",
          peak_kib / 1024, " MiB");
  CHECK(server_errors == 0);
  CHECK(failures.empty());
  CHECK(peak_kib < 768 * 1024);  // 13 MiB in the plain build; AddressSanitizer's quarantine adds up to ~400
  auto checker = server.client();
  CHECK(checker.get("/v1/health").status == 200);
  CHECK(server.running());
  CHECK(server.stop() == 0);
}
