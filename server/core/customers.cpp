#include "core/customers.hpp"

#include "core/audit.hpp"
#include "core/mail_templates.hpp"
#include "core/free_slots.hpp"
#include "core/people.hpp"

namespace licensor::server {
namespace {

// Licenses are the partner's business (their charges, ledger, free-license count), so they bind
// the customer to it. Subscriptions are licenses and members hang off a license, so the
// customer's licenses cover all three.
void licenses_none_or_refuse(const store::read_view& view, const std::string& customer_id) {
  if (must(view.customer_licenses_count(customer_id)) > 0)
    refuse(errc::customer_has_licenses, "delete, unlink or transfer the customer's licenses first");
}

}  // namespace

result<customer_record> customer_register(store::write_view& write, const caller& who, const customer_record& customer,
                                          std::int64_t now) {
  (void)found(write.partner_get(customer.partner_id), errc::partner_not_found);
  if (const auto holder = must(write.customer_id_by_email(customer.email))) {
    // The refusal is committed with its audit entry (nothing else changes) so that operators
    // can see a partner registering emails another already holds.
    audit_append(write, who, "customer.email_taken", *holder, now, {{"partner_id", customer.partner_id}});
    return errc::email_taken;
  }
  if (auto inserted = write.customer_insert(customer); !inserted)
    refuse(inserted.error() == errc::conflict ? errc::email_taken : inserted.error());
  audit_append(write, who, "customer.create", customer.id, now, {{"partner_id", customer.partner_id}});
  return customer;
}

customer_record customer_visible(const store::read_view& view, const caller& who, std::string_view id) {
  auto customer = found(view.customer_get(id), errc::customer_not_found);
  visible_or_refuse(who, customer.partner_id, errc::customer_not_found, customer.id);
  return customer;
}

customer_record customer_details_set(store::write_view& write, const caller& who, std::string_view id,
                                     const customer_changes& changes, std::int64_t now) {
  auto customer = customer_visible(write, who, id);
  auto before = nlohmann::json::object();
  auto after = nlohmann::json::object();
  if (changes.language && mail_language_or_default(*changes.language) != *changes.language)
    refuse(errc::bad_request, "field 'language' must be one of en, es, it");
  const auto apply = [&before, &after]<class T>(const char* name, const std::optional<T>& asked, T& field) {
    if (!asked || *asked == field) return;
    before[name] = field;
    field = *asked;
    after[name] = field;
  };
  apply("name", changes.name, customer.name);
  apply("vat_number", changes.vat_number, customer.vat_number);
  apply("address", changes.address, customer.address);
  apply("self_service", changes.self_service, customer.self_service);
  apply("manages_own_notifications", changes.manages_own_notifications, customer.manages_own_notifications);
  apply("language", changes.language, customer.language);
  if (after.empty()) return customer;
  must(write.customer_put(customer));
  audit_append(write, who, "customer.update", customer.id, now, {{"before", std::move(before)}, {"after", std::move(after)}});
  return customer;
}

void customer_delete(store::write_view& write, const caller& who, std::string_view id, std::int64_t now) {
  const auto customer = found(write.customer_get(id), errc::customer_not_found);
  licenses_none_or_refuse(write, customer.id);
  // A free-license slot outlives its license while a token of it may be valid: deleting the
  // customer would let the same email register afresh and get a second free license.
  if (free_slots_held_any(write, customer.id, now))
    refuse(errc::customer_has_licenses, "the customer still holds a free-license slot (a token of it may still be valid)");
  free_slots_expired_remove(write, customer.id, now);
  people_of_customer_disable(write, customer.id, now);
  must(write.customer_erase(customer.id));
  audit_append(write, who, "customer.delete", customer.id, now, {{"partner_id", customer.partner_id}});
}

customer_record customer_reassign(store::write_view& write, const caller& who, std::string_view id,
                                  const std::string& partner_id, std::int64_t now) {
  auto customer = found(write.customer_get(id), errc::customer_not_found);
  (void)found(write.partner_get(partner_id), errc::partner_not_found);
  if (customer.partner_id == partner_id) refuse(errc::conflict, "the customer already belongs to this partner");
  // Licenses stay with the partner that issued them (see licenses_none_or_refuse). A free-license
  // slot does not block: it belongs to the customer and goes along, so the new partner cannot
  // issue it a second free license of the same product either.
  licenses_none_or_refuse(write, customer.id);
  const auto from = customer.partner_id;
  customer.partner_id = partner_id;
  must(write.customer_put(customer));
  for (auto person : must(write.users_of(customer.id))) {
    person.partner_id = partner_id;
    must(write.user_put(person));
  }
  audit_append(write, who, "customer.reassign", customer.id, now, {{"from_partner_id", from}, {"to_partner_id", partner_id}});
  return customer;
}

}  // namespace licensor::server
