// Issuing and managing licenses. Each change re-checks its rules inside the write
// transaction, so the check and the write are one atomic step whatever the concurrency.
// Signing happens before the transaction, on the worker thread, to keep the writer short.
#include <algorithm>

#include "api/body_reader.hpp"
#include "api/free_slots.hpp"
#include "api/license_signing.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "api/scope.hpp"
#include "api/subscription_ops.hpp"
#include "api/views.hpp"
#include "domain/activation_key.hpp"
#include "domain/product_policy.hpp"
#include "store/schema.hpp"

namespace licensor::server {
namespace {

constexpr std::int64_t day_seconds = 86'400;
constexpr std::int64_t trial_days = 30;

// The free-license rules, with facts read (and expired holds released) in `write`.
void free_rules_check(const service& svc, store::txn& write, const partner_record& partner,
                      const customer_record& customer, const std::string& product) {
  const auto now = svc.now();
  const free_license_facts facts{partner, customer.email, free_slot_held(write, customer.id, product, now),
                                 free_cap_used_release(write, partner.id, now)};
  if (auto allowed = free_license_allowed(facts, svc.config().caps); !allowed) api_fail(allowed.error());
}

// Links `license` to its customer in the indexes (and the free slot for free licenses).
void license_link(store::txn& write, const license_record& license) {
  store_check(write.put(store::db::customer_licenses, license.customer_id + "/" + license.id, ""));
  free_slot_take(write, license);
}

// Unlinks `license` from its customer; a free license holds the customer's slot while its tokens run.
void license_unlink_indexes(const service& svc, store::txn& write, const license_record& license) {
  if (license.customer_id.empty()) return;
  store_check(write.erase(store::db::customer_licenses, license.customer_id + "/" + license.id));
  free_slot_leave(write, license, svc.now(), svc.config().leeway_seconds);
}

api_response license_answer(const license_record& license, unsigned status = 200) {
  return answer(license_view(license), status);
}

// Reads a license visible to the caller inside a change.
license_record license_for_change(const store::txn& write, const caller& who, const std::string& id) {
  auto license = record_get<license_record>(write, store::db::licenses, id, errc::license_not_found);
  if (who.kind == caller_kind::partner && license.partner_id != who.partner_id) api_fail(errc::license_not_found);
  return license;
}

// suspend, reinstate and revoke: a status change with no new token (status is not a claim;
// validate answers from the store).
void license_status_route(service& svc, api_call& call, responder respond, std::string action) {
  (void)body_reader(call.body, {});
  svc.commit(call, [&svc, signing = signing_of(svc), who = call.who, id = call.params[0], action](store::txn& write) {
    // Subscriptions have their own rules (trials locked, add-ons follow, auto_renew off).
    if (auto answer = subscription_status_change(svc, write, who, id, action, signing)) return std::move(*answer);
    auto license = license_for_change(write, who, id);
    auto next = license_status_change(license.status, action);
    if (!next) api_fail(next.error());
    license.status = *next;
    license.updated_at = svc.now();
    record_put(write, store::db::licenses, license.id, license);
    svc.audit_append(write, who, "license." + action, license.id);
    return license_answer(license);
  }, std::move(respond));
}

}  // namespace

void license_issue(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"customer_id", "product", "tier", "kind", "seats", "expires_at", "term_days",
                                     "features", "partner_id"});
  license_record license;
  license.id = id_generate("lic_");
  license.partner_id = acting_partner(call, body);
  license.customer_id = body.string("customer_id");
  license.product = body.string("product");
  license.kind = body.optional_string("kind").value_or("paid");
  if (!license_kind_parse(license.kind)) api_fail(errc::bad_request, "field 'kind' must be free, trial or paid");
  license.seats = static_cast<std::uint32_t>(body.optional_integer("seats", 1, 1'000'000).value_or(1));
  license.features = body.optional_strings("features").value_or(std::vector<std::string>{});
  const auto now = svc.now();
  license.issued_at = now;
  license.updated_at = now;
  const auto expires_at = body.optional_time("expires_at");
  const auto term_days = body.optional_integer("term_days", 1, 36'500);
  if (expires_at && term_days) api_fail(errc::bad_request, "give 'expires_at' or 'term_days', not both");
  if (expires_at) {
    if (*expires_at <= now) api_fail(errc::bad_request, "field 'expires_at' must be in the future");
    license.expires_at = *expires_at;
  } else if (term_days) {
    license.expires_at = now + *term_days * day_seconds;
  } else if (license.kind == "trial") {
    license.expires_at = now + trial_days * day_seconds;
  }

  {
    const auto snapshot = svc.read();
    const auto customer = record_get<customer_record>(snapshot, store::db::customers, license.customer_id, errc::customer_not_found);
    if (customer.partner_id != license.partner_id) api_fail(errc::customer_not_found);
    const auto product = record_get<product_record>(snapshot, store::db::products, license.product, errc::product_not_found);
    license.tier = body.optional_string("tier").value_or(product.tiers.front());
    if (std::find(product.tiers.begin(), product.tiers.end(), license.tier) == product.tiers.end())
      api_fail(errc::tier_not_found);
    if (const auto it = product.min_version.find(license.kind); it != product.min_version.end())
      license.min_version = it->second;
    license.email = customer.email;
  }
  license.activation_key = activation_key_generate();
  license_sign(license, *svc.signer(), svc.config().issuer);

  svc.commit(call, [&svc, who = call.who, license](store::txn& write) {
    const auto partner = record_get<partner_record>(write, store::db::partners, license.partner_id, errc::partner_not_found);
    if (auto allowed = license_issue_allowed(partner); !allowed) api_fail(allowed.error());
    const auto product = record_get<product_record>(write, store::db::products, license.product, errc::product_not_found);
    if (auto refused = product_policy_refusal(product, license)) api_fail(errc::product_policy, *refused);
    const auto customer = record_get<customer_record>(write, store::db::customers, license.customer_id, errc::customer_not_found);
    // The token was signed for this email; a customer cannot change it, so this only guards a race with a delete.
    if (customer.email != license.email || customer.partner_id != license.partner_id) api_fail(errc::conflict);
    if (license.kind == "free") {
      free_rules_check(svc, write, partner, customer, license.product);
      free_cap_take(write, license);
    }
    insert_or_fail(write, store::db::activation_keys, *activation_key_canonical(license.activation_key), license.id, errc::conflict);
    license_save(write, license);
    store_check(write.put(store::db::partner_licenses, license.partner_id + "/" + license.id, ""));
    license_link(write, license);
    svc.audit_append(write, who, "license.issue", license.id,
                     {{"customer_id", license.customer_id}, {"product", license.product}, {"kind", license.kind},
                      {"tier", license.tier}, {"seats", license.seats}});
    return license_answer(license, 201);
  }, std::move(respond));
}

void license_list(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  const auto partner_id = listing_partner(call);
  const auto page = page_of(call);
  if (partner_id.empty()) {
    return respond(page_scan(snapshot, store::db::licenses, "", page, [](std::string_view, std::string_view value) {
      return license_view(nlohmann::json::parse(value).get<license_record>());
    }));
  }
  respond(page_scan(snapshot, store::db::partner_licenses, partner_id + "/", page, [&](std::string_view key, std::string_view) {
    const auto id = key.substr(partner_id.size() + 1);
    return license_view(record_get<license_record>(snapshot, store::db::licenses, id, errc::internal));
  }));
}

void license_get(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  auto answer = license_answer(license_for_change(snapshot, call.who, call.params[0]));
  subscription_view_attach(snapshot, answer.body, svc.now());
  respond(std::move(answer));
}

void license_token_get(service& svc, api_call& call, responder respond) {
  auto signer = svc.signer();
  svc.commit(call, [&svc, signer, who = call.who, id = call.params[0]](store::txn& write) {
    auto license = license_for_change(write, who, id);
    if (license.status == "revoked") api_fail(errc::license_revoked);
    // A fresh token moves the license to the active key, and renews a free token running out.
    if (license.kid != signer->active_kid.value || free_token_renewal_due(license, svc.now())) {
      license.updated_at = svc.now();
      license_sign(license, *signer, svc.config().issuer);
      license_save(write, license);
      svc.audit_append(write, who, "license.resign", license.id, {{"kid", license.kid}});
    }
    return answer({{"id", license.id}, {"token", license.token}, {"kid", license.kid}, {"keyring", signer->keyring_token}});
  }, std::move(respond));
}

void license_suspend(service& svc, api_call& call, responder respond) { license_status_route(svc, call, std::move(respond), "suspend"); }
void license_reinstate(service& svc, api_call& call, responder respond) { license_status_route(svc, call, std::move(respond), "reinstate"); }
void license_revoke(service& svc, api_call& call, responder respond) { license_status_route(svc, call, std::move(respond), "revoke"); }

void license_unlink(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  svc.commit(call, [&svc, who = call.who, id = call.params[0]](store::txn& write) {
    auto license = license_for_change(write, who, id);
    if (license.customer_id.empty()) api_fail(errc::license_unlinked);
    license_unlink_indexes(svc, write, license);
    const auto former = license.customer_id;
    license.customer_id.clear();
    license.updated_at = svc.now();
    record_put(write, store::db::licenses, license.id, license);
    svc.audit_append(write, who, "license.unlink", license.id, {{"customer_id", former}});
    return license_answer(license);
  }, std::move(respond));
}

void license_transfer(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"customer_id"});
  const auto target_id = body.string("customer_id");
  auto signer = svc.signer();
  svc.commit(call, [&svc, signer, who = call.who, id = call.params[0], target_id](store::txn& write) {
    auto license = license_for_change(write, who, id);
    if (license.status == "revoked") api_fail(errc::license_revoked);
    const auto target = record_get<customer_record>(write, store::db::customers, target_id, errc::customer_not_found);
    if (target.partner_id != license.partner_id) api_fail(errc::customer_not_found);
    if (target.id == license.customer_id) api_fail(errc::conflict, "the license already belongs to this customer");
    if (license.kind == "free") {
      const auto partner = record_get<partner_record>(write, store::db::partners, license.partner_id, errc::partner_not_found);
      // The license already counts against the cap, so only the per-customer and domain rules apply.
      if (email_in_partner_domains(partner, target.email)) api_fail(errc::partner_domain_email);
      if (free_slot_held(write, target.id, license.product, svc.now())) api_fail(errc::free_license_exists);
    }
    license_unlink_indexes(svc, write, license);
    const auto former = license.customer_id;
    license.customer_id = target.id;
    license.email = target.email;
    license.fingerprint.clear();  // a new owner activates on their own machine
    license.updated_at = svc.now();
    license_sign(license, *signer, svc.config().issuer);
    license_save(write, license);
    license_link(write, license);
    svc.audit_append(write, who, "license.transfer", license.id, {{"from", former}, {"to", target.id}});
    return license_answer(license);
  }, std::move(respond));
}

void license_delete(service& svc, api_call& call, responder respond) {
  svc.commit(call, [&svc, signing = signing_of(svc), who = call.who, id = call.params[0]](store::txn& write) {
    const auto license = license_for_change(write, who, id);
    // A subscription leaves nothing behind that points at it (its base's list, its add-ons, its
    // members, its schedule entry), or the scheduler would trip over it.
    subscription_unwind(svc, write, license, signing, who);
    license_unlink_indexes(svc, write, license);
    if (license.kind == "free") free_cap_leave(write, license, svc.now(), svc.config().leeway_seconds);
    store_check(write.erase(store::db::partner_licenses, license.partner_id + "/" + license.id));
    store_check(write.erase(store::db::activation_keys, *activation_key_canonical(license.activation_key)));
    store_check(write.erase(store::db::licenses, license.id));
    svc.audit_append(write, who, "license.delete", license.id, {{"customer_id", license.customer_id}, {"kind", license.kind}});
    return answer({{"id", license.id}, {"deleted", true}});
  }, std::move(respond));
}

}  // namespace licensor::server
