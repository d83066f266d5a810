// How records are kept in LMDB values: JSON text. Decoding never throws: a value that does not
// decode is a damaged store (storage_error), not a bug of the caller. Internal to store/lmdb/.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "licensor/result.hpp"

namespace licensor::store {

template <class Record>
[[nodiscard]] std::string record_encode(const Record& record) {
  return nlohmann::json(record).dump();
}

template <class Record>
[[nodiscard]] result<Record> record_decode(std::string_view text) {
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return errc::storage_error;
  try {
    return json.get<Record>();
  } catch (const nlohmann::json::exception&) {
    return errc::storage_error;
  }
}

}  // namespace licensor::store
