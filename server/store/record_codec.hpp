// How a backend keeps a record: as its JSON document (an LMDB value's text, a PostgreSQL jsonb
// column). Decoding never throws: a value that does not decode is a damaged store
// (storage_error), not a bug of the caller. For the backends (store/lmdb/, store/pg/) only.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "domain/json_read.hpp"
#include "licensor/result.hpp"
#include "store/store.hpp"

namespace licensor::store {

// The port's own records that backends keep as documents.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(resign_task, kid, licenses_resigned, started_at)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(delivery_pending, endpoint_id, seq, subject, attempts, next_attempt_at,
                                                first_attempt_at, last_error)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(delivery_attempt, endpoint_id, event_id, event_seq, event_type, attempt,
                                                at, status, latency_ms, error, outcome, recipient)

template <class Record>
[[nodiscard]] std::string record_encode(const Record& record) {
  return nlohmann::json(record).dump();
}

template <class Record>
[[nodiscard]] result<Record> record_decode(std::string_view text) {
  auto json = server::json_read(text);
  if (json.is_discarded() || !json.is_object()) return errc::storage_error;
  try {
    return json.get<Record>();
  } catch (const nlohmann::json::exception&) {
    return errc::storage_error;
  }
}

}  // namespace licensor::store
