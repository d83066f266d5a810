#include "api/counters.hpp"

#include <charconv>

#include "api/service.hpp"
#include "store/schema.hpp"

namespace licensor::server {

std::string partner_free_counter(const std::string& partner_id) { return "free/" + partner_id; }

std::uint32_t counter_get(const store::txn& t, const std::string& name) {
  auto value = t.get(store::db::counters, name);
  if (!value) api_fail(value.error());
  std::uint32_t count = 0;
  if (*value) std::from_chars((*value)->data(), (*value)->data() + (*value)->size(), count);
  return count;
}

void counter_add(store::txn& write, const std::string& name, std::int64_t delta) {
  const auto next = static_cast<std::int64_t>(counter_get(write, name)) + delta;
  if (next < 0) api_fail(errc::internal, "counter would go negative");
  store_check(write.put(store::db::counters, name, std::to_string(next)));
}

}  // namespace licensor::server
