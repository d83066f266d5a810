// The audit log: every change appends who did what to which record, in the change's own write.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string_view>

#include "core/caller.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// Appends {seq, at, actor, action, target, details}; the store assigns seq. Throws refusal on
/// store errors.
void audit_append(store::write_view& write, const caller& who, std::string_view action, std::string_view target,
                  std::int64_t now, nlohmann::json details = nlohmann::json::object());

}  // namespace licensor::server
