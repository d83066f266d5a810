#include "core/api_keys.hpp"

#include "core/audit.hpp"
#include "core/credentials.hpp"
#include "core/ids.hpp"
#include "domain/permissions.hpp"

namespace licensor::server {

api_key_record api_key_prepare(const caller& who, const api_key_order& order, std::int64_t now) {
  const auto kind = order.partner_id.empty() ? org_kind::operator_ : org_kind::partner;
  // Operator keys act for the vendor: only who may manage operator users may make them.
  if (kind == org_kind::operator_) permitted_or_refuse(who, permission::operator_users_manage);
  const auto role_name = order.role.empty() ? std::string(api_key_role_default(kind)) : order.role;
  const auto role = role_find(kind, role_name);
  if (!role) {
    refuse(errc::bad_request, "'" + role_name + "' is not a role of " + std::string(org_kind_name(kind)) + " keys");
  }
  if (order.expires_at != 0 && order.expires_at <= now) refuse(errc::bad_request, "'expires_at' is in the past");
  api_key_record key;
  key.id = id_generate("key_");
  key.partner_id = order.partner_id;
  key.created_at = now;
  key.role = std::string(role->name);
  key.name = order.name;
  key.expires_at = order.expires_at;
  key.created_by = who.id;
  return key;
}

void api_key_create(store::write_view& write, const caller& who, const api_key_record& key, const std::string& secret_hash,
                    std::int64_t now) {
  if (!key.partner_id.empty()) (void)found(write.partner_get(key.partner_id), errc::partner_not_found);
  must(write.api_key_insert(secret_hash, key));
  audit_append(write, who, "api_key.create", key.id, now,
               {{"partner_id", key.partner_id}, {"name", key.name}, {"role", key.role}, {"expires_at", key.expires_at}});
}

api_key_record api_key_revoke(store::write_view& write, const caller& who, const std::string& partner_id,
                              const std::string& key_id, std::int64_t now) {
  if (partner_id.empty()) permitted_or_refuse(who, permission::operator_users_manage);
  const auto hash = must(write.api_key_hash_of(key_id));
  if (!hash) refuse(errc::not_found);
  auto key = found(write.api_key_by_hash(*hash), errc::not_found);
  if (key.partner_id != partner_id) refuse(errc::not_found);
  key.revoked = true;
  must(write.api_key_put(*hash, key));
  audit_append(write, who, "api_key.revoke", key.id, now, {{"partner_id", key.partner_id}});
  return key;
}

std::vector<api_key_record> api_keys_of(const store::read_view& view, const std::string& partner_id) {
  return must(view.api_keys_list(partner_id));
}

std::string api_key_owner_of(const caller& who) {
  if (who.kind == caller_kind::partner) return who.partner_id;
  if (who.kind == caller_kind::operator_) return {};
  refuse(errc::forbidden, "only operators and partners have API keys");
}

}  // namespace licensor::server
