// Counters kept in the store (never recounted by scanning): read and adjusted inside the
// write transaction that changes what they count.
#pragma once

#include <cstdint>
#include <string>

#include "store/lmdb.hpp"

namespace licensor::server {

[[nodiscard]] std::string partner_free_counter(const std::string& partner_id);
[[nodiscard]] std::uint32_t counter_get(const store::txn& t, const std::string& name);
void counter_add(store::txn& write, const std::string& name, std::int64_t delta);

}  // namespace licensor::server
