// Partners register their customers (unique emails across the store) and list their own.
#include "api/body_reader.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "api/scope.hpp"
#include "api/views.hpp"
#include "licensor/email.hpp"
#include "store/schema.hpp"
#include "subscription/vat.hpp"

namespace licensor::server {

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

}  // namespace licensor::server
