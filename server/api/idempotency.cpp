#include "api/idempotency.hpp"

#include <algorithm>

#include "core/refusal.hpp"
#include "domain/secret_hash.hpp"
#include "domain/json_write.hpp"

namespace licensor::server {
namespace {

constexpr std::size_t max_key_length = 255;
constexpr std::size_t expired_removed_per_record = 2;

}  // namespace

void idempotency_key_check(const api_request& request) {
  const auto& key = request.idempotency_key;
  if (key.empty() || request.method == "GET") return;
  if (key.size() > max_key_length ||
      !std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
    refuse(errc::bad_request, "Idempotency-Key must be 1-255 visible ASCII characters");
}

std::optional<idempotency_scope> idempotency_scope_of(const api_call& call) {
  const auto& request = call.request;
  if (request.idempotency_key.empty() || request.method == "GET") return std::nullopt;
  const auto caller_scope = call.who.id.empty() ? "client:" + request.client : call.who.id;
  return idempotency_scope{caller_scope + '\n' + request.idempotency_key,
                           hash_hex(request.method + ' ' + request.target + '\n' + request.body)};
}

std::optional<api_response> idempotency_replay(const store::read_view& view, const idempotency_scope& scope,
                                               std::int64_t now, std::int64_t ttl) {
  const auto seen = must(view.idempotency_get(scope.record_key));
  if (!seen) return std::nullopt;
  if (seen->at + ttl <= now) return std::nullopt;  // expired: the key is free again
  if (seen->request_hash != scope.request_hash) refuse(errc::idempotency_mismatch);
  return answer(nlohmann::json::parse(seen->body), seen->status);
}

void idempotency_record(store::write_view& write, const idempotency_scope& scope, const api_response& first,
                        std::int64_t now, std::int64_t ttl) {
  auto kept = first;
  if (first.shown_once) {
    kept = error_response(errc::secret_shown_once,
                          "the first request created " + first.body.value("id", std::string("it")) +
                              "; its secret was shown once and is not kept: revoke it and create another");
  }
  // A change's answer written straight to text (raw_body) is JSON, kept as it was sent.
  auto body = kept.raw_body.empty() ? json_write(kept.body) : kept.raw_body;
  must(write.idempotency_put(scope.record_key, {scope.request_hash, kept.status, std::move(body), now}));
  // Each new record removes a few expired ones, so the table holds about one TTL's worth.
  must(write.idempotency_prune(now - ttl + 1, expired_removed_per_record));
}

}  // namespace licensor::server
