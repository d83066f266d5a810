// Operators manage partners and their API keys; partners read their usage.
#include <sodium.h>

#include "api/body_reader.hpp"
#include "api/free_slots.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "api/scope.hpp"
#include "api/views.hpp"
#include "licensor/base64url.hpp"
#include "licensor/email.hpp"
#include "store/schema.hpp"

namespace licensor::server {
namespace {

std::vector<std::string> domains_normalise(const std::vector<std::string>& raw) {
  std::vector<std::string> out;
  for (const auto& domain : raw) {
    // A domain is valid exactly when "x@domain" is a valid email.
    auto probe = email_normalise("x@" + domain);
    if (!probe) api_fail(errc::bad_request, "'" + domain + "' is not a valid domain");
    out.emplace_back(email_domain(*probe));
  }
  return out;
}

void level_check(const service& svc, const std::string& level) {
  if (!svc.config().caps.cap_for(level)) api_fail(errc::bad_request, "unknown level '" + level + "'");
}

// Applies the optional fields of a create or update body to `partner`.
void partner_apply(const service& svc, const body_reader& body, partner_record& partner) {
  if (auto name = body.optional_string("name")) partner.name = *name;
  if (auto level = body.optional_string("level")) {
    level_check(svc, *level);
    partner.level = *level;
  }
  if (auto domains = body.optional_strings("email_domains")) partner.email_domains = domains_normalise(*domains);
  if (auto can_issue = body.optional_bool("can_issue")) partner.can_issue = *can_issue;
  if (auto discount = body.optional_integer("discount_percent", 0, 100)) partner.discount_percent = static_cast<int>(*discount);
}

}  // namespace

void partner_create(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"name", "level", "email_domains", "can_issue", "discount_percent"});
  partner_record partner;
  partner.id = id_generate("par_");
  partner.name = body.string("name");
  partner.created_at = svc.now();
  partner_apply(svc, body, partner);
  svc.commit(call, [&svc, who = call.who, partner](store::txn& write) {
    record_put(write, store::db::partners, partner.id, partner);
    svc.audit_append(write, who, "partner.create", partner.id, partner_view(partner));
    return answer(partner_view(partner), 201);
  }, std::move(respond));
}

void partner_list(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  respond(page_scan(snapshot, store::db::partners, "", page_of(call), [](std::string_view, std::string_view value) {
    return partner_view(nlohmann::json::parse(value).get<partner_record>());
  }));
}

void partner_get(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  const auto partner = record_get<partner_record>(snapshot, store::db::partners, call.params[0], errc::partner_not_found);
  api_response response;
  response.body = partner_view(partner);
  response.body["usage"] = {{"free_licenses_used", free_cap_used(snapshot, partner.id, svc.now())},
                            {"free_license_cap", svc.config().caps.cap_for(partner.level).value_or(0)}};
  respond(std::move(response));
}

void partner_update(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"name", "level", "email_domains", "can_issue", "discount_percent"});
  partner_record changes;  // validated now, applied in the transaction
  partner_apply(svc, body, changes);
  svc.commit(call, [&svc, who = call.who, id = call.params[0], body_json = call.body](store::txn& write) {
    auto partner = record_get<partner_record>(write, store::db::partners, id, errc::partner_not_found);
    const auto before = partner_view(partner);
    // A lower level never revokes licenses: the cap only gates new free licenses.
    partner_apply(svc, body_reader(body_json, {"name", "level", "email_domains", "can_issue", "discount_percent"}), partner);
    record_put(write, store::db::partners, partner.id, partner);
    svc.audit_append(write, who, "partner.update", partner.id, {{"before", before}, {"after", partner_view(partner)}});
    return answer(partner_view(partner));
  }, std::move(respond));
}

void api_key_create(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"label"});
  const auto label = body.optional_string("label").value_or("");
  std::array<std::uint8_t, 32> secret{};
  randombytes_buf(secret.data(), secret.size());
  api_key_record record;
  record.id = id_generate("key_");
  record.partner_id = call.params[0];
  record.created_at = svc.now();
  // The key is shown once; only its hash is stored.
  const auto api_key = "lk_" + base64url_encode(secret);
  sodium_memzero(secret.data(), secret.size());
  svc.commit(call, [&svc, who = call.who, record, api_key, label](store::txn& write) {
    (void)record_get<partner_record>(write, store::db::partners, record.partner_id, errc::partner_not_found);
    store_check(write.insert(store::db::api_keys, hash_hex(api_key), nlohmann::json(record).dump()));
    store_check(write.put(store::db::meta, "api_key/" + record.id, hash_hex(api_key)));
    svc.audit_append(write, who, "api_key.create", record.id, {{"partner_id", record.partner_id}, {"label", label}});
    auto created = answer({{"id", record.id}, {"partner_id", record.partner_id}, {"api_key", api_key}}, 201);
    created.shown_once = true;  // never kept for an Idempotency-Key replay
    return created;
  }, std::move(respond));
}

void api_key_revoke(service& svc, api_call& call, responder respond) {
  svc.commit(call, [&svc, who = call.who, params = call.params](store::txn& write) {
    auto hash = write.get(store::db::meta, "api_key/" + params[1]);
    if (!hash) api_fail(hash.error());
    if (!*hash) api_fail(errc::not_found);
    auto record = record_get<api_key_record>(write, store::db::api_keys, **hash, errc::not_found);
    if (record.partner_id != params[0]) api_fail(errc::not_found);
    record.revoked = true;
    record_put(write, store::db::api_keys, **hash, record);
    svc.audit_append(write, who, "api_key.revoke", record.id, {{"partner_id", record.partner_id}});
    return answer({{"id", record.id}, {"revoked", true}});
  }, std::move(respond));
}

void usage_get(service& svc, api_call& call, responder respond) {
  auto partner_id = listing_partner(call);
  if (partner_id.empty()) api_fail(errc::bad_request, "query 'partner_id' is required for operators");
  const auto snapshot = svc.read();
  const auto partner = record_get<partner_record>(snapshot, store::db::partners, partner_id, errc::partner_not_found);
  respond(answer({{"partner_id", partner.id},
                   {"level", partner.level},
                   {"free_licenses_used", free_cap_used(snapshot, partner.id, svc.now())},
                   {"free_license_cap", svc.config().caps.cap_for(partner.level).value_or(0)}}));
}

}  // namespace licensor::server
