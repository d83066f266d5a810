// API keys: operators make partners' keys (/v1/partners/{id}/api-keys); an organisation's
// admins make and revoke their own (/v1/api-keys). Each key has a role; the secret is shown once.
#include "api/body_reader.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "core/api_keys.hpp"
#include "core/views.hpp"
#include "domain/secret_hash.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {
namespace {

nlohmann::json api_key_view(const api_key_record& key) {
  return {{"id", key.id},
          {"partner_id", text_or_null(key.partner_id)},
          {"name", key.name},
          {"role", key.role},
          {"created_at", rfc3339_format(key.created_at)},
          {"expires_at", time_or_null(key.expires_at)},
          {"last_used_at", time_or_null(key.last_used_at)},
          {"revoked", key.revoked}};
}

// Makes a key for `partner_id` (empty: the operators) from the body's role, name and expiry.
void key_create(service& svc, api_call& call, responder respond, std::string partner_id) {
  const body_reader body(call.body, {"label", "name", "role", "expires_at"});
  api_key_order order;
  order.partner_id = std::move(partner_id);
  order.role = body.optional_string("role").value_or("");
  order.name = body.optional_string("name").value_or(body.optional_string("label").value_or(""));
  if (order.name.size() > 200) refuse(errc::bad_request, "'name' is longer than 200 characters");
  order.expires_at = body.optional_time("expires_at").value_or(0);
  const auto now = svc.now();
  const auto record = api_key_prepare(call.who, order, now);
  const auto api_key = secret_generate("lk_");
  svc.commit(call, [who = call.who, record, api_key, now](store::write_view& write, const signing&) {
    api_key_create(write, who, record, hash_hex(api_key), now);
    auto view = api_key_view(record);
    view["api_key"] = api_key;
    return answer_with_secret(std::move(view), 201);
  }, std::move(respond));
}

void key_revoke(service& svc, api_call& call, responder respond, std::string partner_id, std::string key_id) {
  svc.commit(call, [who = call.who, partner_id = std::move(partner_id), key_id = std::move(key_id), now = svc.now()](
                       store::write_view& write, const signing&) {
    return answer(api_key_view(api_key_revoke(write, who, partner_id, key_id, now)));
  }, std::move(respond));
}

}  // namespace

void partner_api_key_create(service& svc, api_call& call, responder respond) {
  key_create(svc, call, std::move(respond), call.params[0]);
}

void partner_api_key_revoke(service& svc, api_call& call, responder respond) {
  key_revoke(svc, call, std::move(respond), call.params[0], call.params[1]);
}

void api_key_create(service& svc, api_call& call, responder respond) {
  key_create(svc, call, std::move(respond), api_key_owner_of(call.who));
}

void api_key_list(service& svc, api_call& call, responder respond) {
  const store::page<api_key_record> keys{api_keys_of(*svc.read(), api_key_owner_of(call.who)), {}};
  respond(page_answer(keys, api_key_view));
}

void api_key_revoke(service& svc, api_call& call, responder respond) {
  key_revoke(svc, call, std::move(respond), api_key_owner_of(call.who), call.params[0]);
}

}  // namespace licensor::server
