// The transport-free shape of an API call: what the HTTP layer hands in, what it writes back.
// Handlers never touch a socket, so every rule can be tested without one. A handler refuses by
// throwing core/refusal.hpp's refusal; the router answers it with error_response().
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/caller.hpp"
#include "core/refusal.hpp"
#include "licensor/error.hpp"
#include "store/store.hpp"

namespace licensor::server {

struct api_request {
  std::string method;
  std::string target;  ///< path and query, as received
  std::string body;
  std::string authorization;
  std::string idempotency_key;
  std::string client;  ///< remote address, for rate limits and logs
  std::string cookie;       ///< the Cookie header (a person's session; never logged)
  std::string origin;       ///< the Origin header (checked on changes made with a cookie)
  std::string host;         ///< the Host header
  std::string csrf_token;   ///< the X-CSRF-Token header
  std::string user_agent;   ///< kept with a new session so its owner can recognise it
  std::string accept_encoding;  ///< the portal's assets go gzip-compressed to clients that accept it
  std::string request_id;   ///< chosen by the server; sent back as X-Request-Id, logged, audited
};

struct api_response {
  unsigned status = 200;
  nlohmann::json body = nlohmann::json::object();
  std::optional<int> retry_after_seconds;
  std::string content_type = "application/json";
  std::string raw_body;  ///< sent as is when not empty (e.g. the OpenAPI document)
  /// The body carries a secret shown once (a new API key): it is never stored, so a replay of
  /// its Idempotency-Key answers secret_shown_once instead of the secret.
  bool shown_once = false;
  std::vector<std::string> set_cookies;  ///< Set-Cookie headers, one per cookie (sign-in and sign-out)
  std::string cache_control = "no-store";  ///< the portal's fingerprinted assets are cached; nothing else
  std::vector<std::pair<std::string, std::string>> headers;  ///< further headers (the portal's CSP, ...)
};

/// A body's (or a log line's) JSON text as sent. Client bytes in it may be invalid UTF-8: they are
/// replaced (U+FFFD), never thrown on a worker thread.
[[nodiscard]] std::string json_text(const nlohmann::json& value);

using responder = std::function<void(api_response)>;

/// A request after routing and authentication.
struct api_call {
  const api_request& request;
  caller who;
  std::vector<std::string> params;           ///< path parameters, in order
  std::map<std::string, std::string> query;  ///< decoded query parameters
  nlohmann::json body;                       ///< parsed JSON object (empty object for no body)
  /// The snapshot the caller was authenticated in, kept only for the routes the router lets keep
  /// it (router.cpp: keeps_snapshot), whose handler reads it in place of a second one; empty for
  /// every other route. A request holds one read view at a time, so read views (a pool of
  /// connections on PostgreSQL) are never held two by one request while it waits for a third.
  std::unique_ptr<store::read_view> authenticated_in{};
};

/// Refuses with 429 rate_limited and a Retry-After of `seconds`.
[[noreturn]] inline void refuse_rate_limited(int seconds) {
  throw refusal{errc::rate_limited, "too many requests; retry after " + std::to_string(seconds) + " s", seconds};
}

/// A JSON answer.
[[nodiscard]] inline api_response answer(nlohmann::json body, unsigned status = 200) {
  api_response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

/// A JSON answer already written as text, sent as is.
[[nodiscard]] inline api_response answer_json_text(std::string json, unsigned status = 200) {
  api_response response;
  response.status = status;
  response.raw_body = std::move(json);
  return response;
}

/// A JSON answer that carries a secret shown once (a new API key, an invitation, a session):
/// never stored, so a replay of its Idempotency-Key answers secret_shown_once instead.
[[nodiscard]] inline api_response answer_with_secret(nlohmann::json body, unsigned status) {
  auto response = answer(std::move(body), status);
  response.shown_once = true;
  return response;
}

/// The HTTP status of an error code.
[[nodiscard]] unsigned errc_http_status(errc code) noexcept;
/// {"error": {"code", "message"}} with the status for `code`.
[[nodiscard]] api_response error_response(errc code, std::string_view message = {});
[[nodiscard]] api_response error_response(const refusal& error);

}  // namespace licensor::server
