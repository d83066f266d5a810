// How a backend keeps a record: as its JSON document (an LMDB value's text, a PostgreSQL jsonb
// column). Decoding never throws: a value that does not decode is a damaged store
// (storage_error), not a bug of the caller. For the backends (store/lmdb/, store/pg/) only.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "domain/json_record.hpp"
#include "licensor/result.hpp"
#include "store/store.hpp"

namespace licensor::store {

// The port's own records that backends keep as documents.
LICENSOR_JSON_FIELDS(resign_task, kid, licenses_resigned, started_at)
LICENSOR_JSON_FIELDS(delivery_pending, endpoint_id, seq, subject, attempts, next_attempt_at,
                     first_attempt_at, last_error)
LICENSOR_JSON_FIELDS(delivery_attempt, endpoint_id, event_id, event_seq, event_type, attempt,
                     at, status, latency_ms, error, outcome, recipient)

template <class Record>
[[nodiscard]] std::string record_encode(const Record& record) {
  return server::json_write_record(record);
}

template <class Record>
[[nodiscard]] result<Record> record_decode(std::string_view text) {
  Record record;
  if (!server::json_read_record(text, record)) return errc::storage_error;
  return record;
}

}  // namespace licensor::store
