// Partners register their customers (unique emails across the store) and list their own.
// Operators delete a customer, or reassign it to another partner, once no license binds it
// (README, "Customers: squatting, deletion and reassignment"); both are audited, and so is every
// registration refused because the email is taken, so squatting shows in the audit log.
#include "api/body_reader.hpp"
#include "api/list_filters.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "api/scope.hpp"
#include "core/views.hpp"
#include "core/customers.hpp"
#include "core/ids.hpp"
#include "core/mail_templates.hpp"
#include "licensor/email.hpp"
#include "subscription/vat.hpp"

namespace licensor::server {
namespace {

std::optional<std::string> name_of(const body_reader& body) {
  auto name = body.optional_string("name");
  if (name && name->size() > 200) refuse(errc::bad_request, "field 'name' is longer than 200 characters");
  return name;
}

std::optional<std::string> address_of(const body_reader& body) {
  auto address = body.optional_string("address");
  if (address && address->size() > 500) refuse(errc::bad_request, "field 'address' is longer than 500 characters");
  return address;
}

std::string vat_number_of(const std::string& given) {
  auto checked = subscription::vat_number_check(given);
  if (!checked) refuse(checked.error());
  return *checked;
}

}  // namespace

void customer_create(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"email", "name", "partner_id", "vat_number", "address", "manages_own_notifications", "language"});
  customer_record customer;
  customer.id = id_generate("cus_");
  customer.partner_id = acting_partner(call, body);
  auto email = email_normalise(body.string("email"));
  if (!email) refuse(errc::invalid_email);
  customer.email = *email;
  customer.name = name_of(body).value_or("");
  if (const auto vat = body.optional_string("vat_number")) customer.vat_number = vat_number_of(*vat);
  customer.address = address_of(body).value_or("");
  customer.manages_own_notifications = body.optional_bool("manages_own_notifications").value_or(false);
  customer.language = body.optional_string("language").value_or("en");
  if (mail_language_or_default(customer.language) != customer.language)
    refuse(errc::bad_request, "field 'language' must be one of en, es, it");
  customer.created_at = svc.now();
  svc.commit(call, [who = call.who, customer, now = svc.now()](store::write_view& write, const signing&) {
    const auto registered = customer_register(write, who, customer, now);
    if (!registered) return error_response(registered.error());
    return answer(customer_view(*registered), 201);
  }, std::move(respond));
}

void customer_list(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  const auto partner = listing_partner(call);
  const auto read = customer_pages_of(call.query, *snapshot, partner);
  // Each customer with the number of licenses it holds (through the customer's index): the
  // partner sees at a glance who holds none yet.
  respond(page_answer(read(page_of(call)), [&](const customer_record& customer) {
    auto shown = customer_view(customer);
    shown["licenses_held"] = must(snapshot->customer_licenses_count(customer.id));
    return shown;
  }));
}

void customer_get(service& svc, api_call& call, responder respond) {
  respond(answer(customer_view(customer_visible(*svc.read(), call.who, call.params[0]))));
}

// Corrects a customer's business information and settings; the email stays (a change of owner
// is a transfer of its licenses).
void customer_update(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"name", "vat_number", "address", "self_service", "manages_own_notifications", "language"});
  customer_changes changes{name_of(body), std::nullopt, address_of(body), body.optional_bool("self_service"),
                           body.optional_bool("manages_own_notifications"), body.optional_string("language")};
  if (const auto vat = body.optional_string("vat_number")) changes.vat_number = vat->empty() ? std::string() : vat_number_of(*vat);
  if (call.body.empty()) refuse(errc::bad_request, "give at least one field to change");
  svc.commit(call, [who = call.who, id = call.params[0], changes, now = svc.now()](store::write_view& write, const signing&) {
    return answer(customer_view(customer_details_set(write, who, id, changes, now)));
  }, std::move(respond));
}

void customer_delete(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  svc.commit(call, [who = call.who, id = call.params[0], now = svc.now()](store::write_view& write, const signing&) {
    customer_delete(write, who, id, now);
    return answer({{"id", id}, {"deleted", true}});
  }, std::move(respond));
}

void customer_reassign(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"partner_id"});
  svc.commit(call, [who = call.who, id = call.params[0], target = body.string("partner_id"), now = svc.now()](
                       store::write_view& write, const signing&) {
    return answer(customer_view(customer_reassign(write, who, id, target, now)));
  }, std::move(respond));
}

}  // namespace licensor::server
