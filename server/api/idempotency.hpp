// Idempotency-Key: a retried change answers with its first answer and changes nothing.
//
// A record is kept per caller and key: the request's hash, the answer and when it was given.
// Records live `ttl` seconds (a retry comes within minutes; a record kept for ever would replay
// a token after its license was revoked). Each new record removes up to two expired ones, so the
// table holds about one TTL's worth of records without a sweeper job.
//
// Answers that carry a secret shown once (a new API key) are never stored: their replay answers
// secret_shown_once, naming the object the first request created.
//
// GET requests ignore the header: they change nothing, and their answers (tokens) must reflect
// the license as it is now.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/api_types.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// Where a request's first answer is kept.
struct idempotency_scope {
  std::string record_key;    ///< "<caller>\n<key>"; anonymous callers are told apart by address
  std::string request_hash;  ///< of method, target and body: the same key with another request is refused
};

/// Refuses (refusal bad_request) a header that is not 1-255 visible ASCII characters.
void idempotency_key_check(const api_request& request);

/// The scope of `call`'s key, or nullopt when it sent none or is a GET.
[[nodiscard]] std::optional<idempotency_scope> idempotency_scope_of(const api_call& call);

/// The first answer under `scope`, if one younger than `ttl` seconds is stored.
/// Throws refusal: idempotency_mismatch when the key came with another request; storage errors.
[[nodiscard]] std::optional<api_response> idempotency_replay(const store::read_view& view, const idempotency_scope& scope,
                                                             std::int64_t now, std::int64_t ttl);

/// Stores `first` as the answer under `scope` (a shown-once answer as secret_shown_once) and
/// removes up to two records older than `ttl`. Throws refusal on storage errors.
void idempotency_record(store::write_view& write, const idempotency_scope& scope, const api_response& first,
                        std::int64_t now, std::int64_t ttl);

}  // namespace licensor::server
