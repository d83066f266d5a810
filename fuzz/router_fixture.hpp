// A whole licensord request handler, built once per fuzzing process: a development key dir
// and a non-durable LMDB store in a fresh temporary directory, an operator token, and through
// the router itself a partner (gold, may issue), its API key, a product, a customer and a
// license. send() runs one request through router::handle and enforces the router's
// contract: the responder is called exactly once and no status is 5xx (abort otherwise).
//
// Fuzz inputs name the fixture's secrets and ids with placeholders, replaced before sending:
//   @o operator bearer token   @k partner API key   @p partner id   @c customer id
//   @l license id              @a activation key    @t license token @i first signing kid
// The store keeps what earlier inputs wrote (like a live server does); a crash therefore
// reproduces from its input alone only if it needs no earlier state, which was true so far.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <deque>
#include <filesystem>
#include <future>
#include <memory>
#include <string>

#include "api/router.hpp"
#include "api/service.hpp"
#include "fuzz_common.hpp"
#include "core/credentials.hpp"
#include "store/lmdb/lmdb_store.hpp"

namespace licensor::fuzz {

struct fixture {
  std::filesystem::path dir;
  std::unique_ptr<server::service> svc;
  std::unique_ptr<server::router> api;
  std::string operator_token = "lop_fuzz-operator-token";
  std::string partner_key, partner_id, customer_id, license_id, activation_key, license_token, first_kid;
};

struct call_state {
  std::atomic<int> calls{0};
  std::promise<server::api_response> answer;
};

inline fixture& the_fixture();

/// Runs one request; returns the response. Aborts on a broken router contract.
inline server::api_response send(fixture& f, const server::api_request& request) {
  // A responder called a second time after its future was consumed would go unnoticed if the
  // states died here, so the last few are kept and re-checked on every call.
  static std::deque<std::shared_ptr<call_state>> recent;
  auto state = std::make_shared<call_state>();
  auto answered = state->answer.get_future();
  f.api->handle(request, [state](server::api_response response) {
    if (state->calls.fetch_add(1) != 0) fail("responder called twice");
    state->answer.set_value(std::move(response));
  });
  if (answered.wait_for(std::chrono::seconds(20)) != std::future_status::ready) fail("responder never called");
  auto response = answered.get();
  for (const auto& old : recent)
    if (old->calls.load() != 1) fail("an earlier responder was called again");
  recent.push_back(state);
  if (recent.size() > 16) recent.pop_front();
  if (response.status >= 500) {
    std::fprintf(stderr, "%s %s -> %u %s\n", request.method.c_str(), request.target.c_str(), response.status,
                 response.raw_body.empty() ? response.body.dump().c_str() : response.raw_body.c_str());
    fail("5xx answer");
  }
  if (response.status < 100) fail("status below 100");
  return response;
}

inline std::string replace_placeholders(std::string text, const fixture& f) {
  if (text.find('@') == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '@' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    const std::string* value = nullptr;
    switch (text[i + 1]) {
      case 'o': value = &f.operator_token; break;
      case 'k': value = &f.partner_key; break;
      case 'p': value = &f.partner_id; break;
      case 'c': value = &f.customer_id; break;
      case 'l': value = &f.license_id; break;
      case 'a': value = &f.activation_key; break;
      case 't': value = &f.license_token; break;
      case 'i': value = &f.first_kid; break;
      default: break;
    }
    if (value == nullptr) {
      out += text[i];
    } else {
      out += *value;
      ++i;
    }
  }
  return out;
}

inline server::api_request make_request(std::string method, std::string target, std::string auth, std::string body) {
  server::api_request request;
  request.method = std::move(method);
  request.target = std::move(target);
  request.authorization = std::move(auth);
  request.body = std::move(body);
  request.client = "127.0.0.1";
  return request;
}

// The answer's JSON document, whether the handler built it as a document or wrote it as text.
inline nlohmann::json answer_json(const server::api_response& response) {
  return response.raw_body.empty() ? response.body : nlohmann::json::parse(response.raw_body);
}

inline nlohmann::json setup_call(fixture& f, const char* method, const std::string& target, const std::string& bearer,
                                 const nlohmann::json& body, unsigned expected) {
  auto response = send(f, make_request(method, target, "Bearer " + bearer, body.is_null() ? "" : body.dump()));
  if (response.status != expected) {
    std::fprintf(stderr, "fuzz setup: %s %s -> %u %s\n", method, target.c_str(), response.status,
                 answer_json(response).dump().c_str());
    fail("fixture setup");
  }
  return answer_json(response);
}

inline void fixture_build(fixture& f) {
  if (sodium_init() < 0) fail("sodium_init");
  std::string pattern = (std::filesystem::temp_directory_path() / "licensor-fuzz-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) fail("mkdtemp");
  f.dir = pattern;

  keys::key_dir_options options;
  options.development_unwrapped = true;
  if (!keys::key_dir_init(f.dir / "keys", options, std::time(nullptr))) fail("key_dir_init");
  auto store = store::lmdb_store_open(f.dir / "store", store::lmdb_options{.map_size_bytes = std::size_t{4} << 30,
                                                                            .durable = false});
  if (!store) fail("store_open");
  if (!server::operator_token_ensure(**store, f.operator_token)) fail("operator token");
  server::service_config config;
  config.key_dir = f.dir / "keys";
  config.key_options.development_unwrapped = true;
  // Every fuzz input comes from one client: with the real limits the fuzzer would spend most of
  // its time on 429s after a few bad credentials. The limiter code still runs on every request.
  config.limits = server::rate_limits{1e12, 1e12, 1e12, 1e12, 1e12, 1e12};
  auto svc = server::service::create(std::move(config), std::move(*store));
  if (!svc) fail("service::create");
  f.svc = std::move(*svc);
  f.api = std::make_unique<server::router>(*f.svc);
  f.first_kid = f.svc->signer()->active_kid.value;

  const auto& op = f.operator_token;
  auto partner = setup_call(f, "POST", "/v1/partners", op,
                            {{"name", "Fuzz Partner"}, {"level", "gold"}, {"email_domains", {"partner.example"}},
                             {"can_issue", true}}, 201);
  f.partner_id = partner.at("id").get<std::string>();
  auto key = setup_call(f, "POST", "/v1/partners/" + f.partner_id + "/api-keys", op, {{"label", "fuzz"}}, 201);
  f.partner_key = key.at("api_key").get<std::string>();
  setup_call(f, "POST", "/v1/products", op,
             {{"id", "acme-editor"}, {"tiers", {"basic", "pro"}}, {"min_version", {{"free", "20"}}}}, 201);
  auto customer = setup_call(f, "POST", "/v1/customers", f.partner_key, {{"email", "ann@example.com"}}, 201);
  f.customer_id = customer.at("id").get<std::string>();
  auto license = setup_call(f, "POST", "/v1/licenses", f.partner_key,
                            {{"customer_id", f.customer_id}, {"product", "acme-editor"}, {"tier", "pro"},
                             {"kind", "paid"}, {"term_days", 365}}, 201);
  f.license_id = license.at("id").get<std::string>();
  f.activation_key = license.at("activation_key").get<std::string>();
  f.license_token = license.at("token").get<std::string>();
  // A second customer so transfers have somewhere to go.
  setup_call(f, "POST", "/v1/customers", f.partner_key, {{"email", "bob@example.org"}}, 201);
}

inline fixture& the_fixture() {
  static fixture* f = [] {
    auto* made = new fixture;  // lives for the whole process: the writer thread uses it
    fixture_build(*made);
    // The temporary directory is removed at exit; LMDB keeps its files open until then.
    static const std::filesystem::path dir = made->dir;
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    });
    return made;
  }();
  return *f;
}

}  // namespace licensor::fuzz
