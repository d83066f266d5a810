// The physical limit for licensord's validate endpoint: the same HTTPS stack (Beast, Asio,
// OpenSSL, the same http_server with the same threads and limits) answering every request
// with a fixed 200-byte JSON body and doing nothing else.
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "http/http_server.hpp"
#include "http/tls.hpp"

int main(int argc, char** argv) {
  using namespace licensor::server;
  const std::filesystem::path dir = argc > 1 ? argv[1] : "trivial-responder";
  if (!tls_self_signed_ensure(dir / "cert.pem", dir / "key.pem")) return 1;
  auto tls = tls_context_load(dir / "cert.pem", dir / "key.pem");
  if (!tls) return 1;
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  api_response fixed;
  fixed.raw_body = R"({"valid":true,"code":"valid","license":{"id":"lic_0000000000000000000","product":"editor","tier":"pro","kind":"paid","status":"active","seats":5,"features":["export"],"expires_at":"2027-11-22T00:00:00Z"}})";
  http_options options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.log_requests = false;
  http_server server([&fixed](const api_request&, responder respond) { respond(fixed); }, *tls, options);
  auto port = server.listen();
  if (!port) return 1;
  std::cout << "trivial responder listening on https://127.0.0.1:" << *port << std::endl;
  std::thread waiter([&] {
    int received = 0;
    sigwait(&stop_signals, &received);
    server.stop();
  });
  server.run();
  waiter.join();
  return 0;
}
