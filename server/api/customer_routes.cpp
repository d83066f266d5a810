// Partners register their customers (unique emails across the store) and list their own.
// Operators delete a customer, or reassign it to another partner, once no license binds it
// (README, "Customers: squatting, deletion and reassignment"); both are audited, and so is every
// registration refused because the email is taken, so squatting shows in the audit log.
#include <optional>

#include "api/body_reader.hpp"
#include "api/free_slots.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "api/scope.hpp"
#include "api/views.hpp"
#include "licensor/email.hpp"
#include "store/schema.hpp"
#include "subscription/vat.hpp"

namespace licensor::server {
namespace {

// The customer holding `email`, if any.
std::optional<std::string> email_holder(const store::txn& t, const std::string& email) {
  auto holder = t.get(store::db::customer_emails, email);
  if (!holder) api_fail(holder.error());
  return *holder;
}

// True when `db` has a key "<customer_id>/...".
bool customer_indexed(const store::txn& t, const char* db, const std::string& customer_id) {
  bool found = false;
  store_check(t.scan(db, customer_id + "/", "", 1, [&found](std::string_view, std::string_view) {
    found = true;
    return false;
  }));
  return found;
}

// Licenses are the partner's business (their charges, ledger, free-license count), so they bind
// the customer to it. Subscriptions are licenses and members hang off a license, so the
// customer's license index covers all three.
void licenses_none_or_fail(const store::txn& t, const std::string& customer_id) {
  if (customer_indexed(t, store::db::customer_licenses, customer_id))
    api_fail(errc::customer_has_licenses, "delete, unlink or transfer the customer's licenses first");
}

}  // namespace

void customer_create(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"email", "name", "partner_id", "vat_number"});
  customer_record customer;
  customer.id = id_generate("cus_");
  customer.partner_id = acting_partner(call, body);
  auto email = email_normalise(body.string("email"));
  if (!email) api_fail(errc::invalid_email);
  customer.email = *email;
  customer.name = body.optional_string("name").value_or("");
  if (const auto vat = body.optional_string("vat_number")) {
    auto checked = subscription::vat_number_check(*vat);
    if (!checked) api_fail(checked.error());
    customer.vat_number = *checked;
  }
  customer.created_at = svc.now();
  svc.commit(call, [&svc, who = call.who, customer](store::txn& write) {
    (void)record_get<partner_record>(write, store::db::partners, customer.partner_id, errc::partner_not_found);
    if (const auto holder = email_holder(write, customer.email)) {
      // The refusal is committed with its audit entry (nothing else changes) so that operators
      // can see a partner registering emails another already holds.
      svc.audit_append(write, who, "customer.email_taken", *holder, {{"partner_id", customer.partner_id}});
      return error_response(errc::email_taken);
    }
    insert_or_fail(write, store::db::customer_emails, customer.email, customer.id, errc::email_taken);
    record_put(write, store::db::customers, customer.id, customer);
    store_check(write.put(store::db::partner_customers, customer.partner_id + "/" + customer.id, ""));
    svc.audit_append(write, who, "customer.create", customer.id, {{"partner_id", customer.partner_id}});
    return answer(customer_view(customer), 201);
  }, std::move(respond));
}

void customer_list(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  const auto partner_id = listing_partner(call);
  const auto page = page_of(call);
  if (partner_id.empty()) {
    return respond(page_scan(snapshot, store::db::customers, "", page, [](std::string_view, std::string_view value) {
      return customer_view(nlohmann::json::parse(value).get<customer_record>());
    }));
  }
  respond(page_scan(snapshot, store::db::partner_customers, partner_id + "/", page,
                    [&](std::string_view key, std::string_view) {
                      const auto id = key.substr(partner_id.size() + 1);
                      return customer_view(record_get<customer_record>(snapshot, store::db::customers, id, errc::internal));
                    }));
}

void customer_get(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  const auto customer = record_get<customer_record>(snapshot, store::db::customers, call.params[0], errc::customer_not_found);
  visible_or_fail(call, customer.partner_id, errc::customer_not_found);
  respond(answer(customer_view(customer)));
}

void customer_delete(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  svc.commit(call, [&svc, who = call.who, id = call.params[0]](store::txn& write) {
    const auto customer = record_get<customer_record>(write, store::db::customers, id, errc::customer_not_found);
    licenses_none_or_fail(write, customer.id);
    // A free-license slot outlives its license while a token of it may be valid: deleting the
    // customer would let the same email register afresh and get a second free license.
    if (free_slots_held_any(write, customer.id, svc.now()))
      api_fail(errc::customer_has_licenses, "the customer still holds a free-license slot (a token of it may still be valid)");
    free_slots_expired_remove(write, customer.id, svc.now());
    if (email_holder(write, customer.email) == customer.id)
      store_check(write.erase(store::db::customer_emails, customer.email));
    store_check(write.erase(store::db::partner_customers, customer.partner_id + "/" + customer.id));
    store_check(write.erase(store::db::customers, customer.id));
    svc.audit_append(write, who, "customer.delete", customer.id, {{"partner_id", customer.partner_id}});
    return answer({{"id", customer.id}, {"deleted", true}});
  }, std::move(respond));
}

void customer_reassign(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"partner_id"});
  const auto target = body.string("partner_id");
  svc.commit(call, [&svc, who = call.who, id = call.params[0], target](store::txn& write) {
    auto customer = record_get<customer_record>(write, store::db::customers, id, errc::customer_not_found);
    (void)record_get<partner_record>(write, store::db::partners, target, errc::partner_not_found);
    if (customer.partner_id == target) api_fail(errc::conflict, "the customer already belongs to this partner");
    // Licenses stay with the partner that issued them (see licenses_none_or_fail). A free-license
    // slot does not block: it belongs to the customer and goes along, so the new partner cannot
    // issue it a second free license of the same product either.
    licenses_none_or_fail(write, customer.id);
    const auto from = customer.partner_id;
    store_check(write.erase(store::db::partner_customers, from + "/" + customer.id));
    store_check(write.put(store::db::partner_customers, target + "/" + customer.id, ""));
    customer.partner_id = target;
    record_put(write, store::db::customers, customer.id, customer);
    svc.audit_append(write, who, "customer.reassign", customer.id, {{"from_partner_id", from}, {"to_partner_id", target}});
    return answer(customer_view(customer));
  }, std::move(respond));
}

}  // namespace licensor::server
