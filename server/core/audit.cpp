#include "core/audit.hpp"

#include "core/refusal.hpp"

namespace licensor::server {

void audit_append(store::write_view& write, const caller& who, std::string_view action, std::string_view target,
                  std::int64_t now, nlohmann::json details) {
  store::audit_entry entry{0, now, who.id, std::string(action), std::string(target), std::move(details), who.request_id};
  (void)must(write.audit_append(entry));
}

}  // namespace licensor::server
