#include "api/idempotency.hpp"

#include <algorithm>

#include "api/service.hpp"
#include "store/ordered_key.hpp"
#include "store/schema.hpp"

namespace licensor::server {
namespace {

constexpr std::size_t max_key_length = 255;
constexpr int expired_removed_per_record = 2;

std::int64_t recorded_at(const nlohmann::json& stored) { return stored.value("at", std::int64_t{0}); }

// Removes the oldest expired records. The time index may name a record that was replaced
// since (a key reused after it expired): only a record still recorded at that time goes.
void expired_remove(store::txn& write, std::int64_t now, std::int64_t ttl) {
  std::vector<std::string> index_keys;
  store_check(write.scan(store::db::idempotency_expiry, "", "", expired_removed_per_record,
                         [&](std::string_view key, std::string_view) {
                           const auto at = store::hex16_parse(key);
                           if (!at || static_cast<std::int64_t>(*at) + ttl > now) return false;
                           index_keys.emplace_back(key);
                           return true;
                         }));
  for (const auto& index_key : index_keys) {
    const auto record_key = std::string_view(index_key).substr(17);
    auto stored = write.get(store::db::idempotency, record_key);
    if (!stored) api_fail(stored.error());
    if (*stored) {
      const auto record = nlohmann::json::parse(**stored, nullptr, false);
      if (record.is_discarded() || recorded_at(record) == static_cast<std::int64_t>(*store::hex16_parse(index_key)))
        store_check(write.erase(store::db::idempotency, record_key));
    }
    store_check(write.erase(store::db::idempotency_expiry, index_key));
  }
}

}  // namespace

void idempotency_key_check(const api_request& request) {
  const auto& key = request.idempotency_key;
  if (key.empty() || request.method == "GET") return;
  if (key.size() > max_key_length ||
      !std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
    api_fail(errc::bad_request, "Idempotency-Key must be 1-255 visible ASCII characters");
}

std::optional<idempotency_scope> idempotency_scope_of(const api_call& call) {
  const auto& request = call.request;
  if (request.idempotency_key.empty() || request.method == "GET") return std::nullopt;
  const auto caller_scope = call.who.id.empty() ? "client:" + request.client : call.who.id;
  return idempotency_scope{caller_scope + '\n' + request.idempotency_key,
                           hash_hex(request.method + ' ' + request.target + '\n' + request.body)};
}

std::optional<api_response> idempotency_replay(const store::txn& write, const idempotency_scope& scope,
                                               std::int64_t now, std::int64_t ttl) {
  auto seen = write.get(store::db::idempotency, scope.record_key);
  if (!seen) api_fail(seen.error());
  if (!*seen) return std::nullopt;
  const auto stored = nlohmann::json::parse(**seen);
  if (recorded_at(stored) + ttl <= now) return std::nullopt;  // expired: the key is free again
  if (stored.at("hash").get<std::string>() != scope.request_hash) api_fail(errc::idempotency_mismatch);
  return answer(stored.at("body"), stored.at("status").get<unsigned>());
}

void idempotency_record(store::txn& write, const idempotency_scope& scope, const api_response& first,
                        std::int64_t now, std::int64_t ttl) {
  auto kept = first;
  if (first.shown_once) {
    kept = error_response(errc::secret_shown_once,
                          "the first request created " + first.body.value("id", std::string("it")) +
                              "; its secret was shown once and is not kept: revoke it and create another");
  }
  const nlohmann::json stored{{"hash", scope.request_hash}, {"status", kept.status}, {"body", kept.body}, {"at", now}};
  store_check(write.put(store::db::idempotency, scope.record_key, stored.dump()));
  store_check(write.put(store::db::idempotency_expiry, store::hex16_time(now) + "/" + scope.record_key, ""));
  expired_remove(write, now, ttl);
}

}  // namespace licensor::server
