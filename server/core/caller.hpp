// Who asks: an operator, a partner (through one of its API keys), or nobody in particular (an
// app activating or validating). Operations use it to scope what is visible and to sign the
// audit log.
#pragma once

#include <string>

#include "core/refusal.hpp"

namespace licensor::server {

enum class caller_kind { anonymous, operator_, partner };

struct caller {
  caller_kind kind = caller_kind::anonymous;
  std::string partner_id;  ///< for partners
  std::string id;          ///< "operator", "partner:<partner>:<key>", "scheduler"...: for audit and idempotency
};

/// Partner isolation: throws `missing` unless `who` may see a record owned by `owner_partner_id`
/// (operators see everything; a partner only its own). Another partner's record is "not found",
/// never "forbidden", so partners cannot probe each other's ids.
inline void visible_or_refuse(const caller& who, const std::string& owner_partner_id, errc missing) {
  if (who.kind == caller_kind::partner && owner_partner_id != who.partner_id) refuse(missing);
}

}  // namespace licensor::server
