#include "core/imports.hpp"

#include <algorithm>
#include <optional>

#include "core/audit.hpp"
#include "core/events.hpp"
#include "core/free_slots.hpp"
#include "core/refusal.hpp"
#include "domain/product_policy.hpp"
#include "domain/rules.hpp"
#include "licensor/email.hpp"

namespace licensor::server {
namespace {

// What a row will write, once every rule passed.
struct import_plan {
  license_record license;
  std::optional<customer_record> new_customer;
};

import_plan import_plan_make(store::write_view& write, const partner_record& partner, const import_row& row,
                             const license_settings& settings, std::int64_t now) {
  if (!row.problem.empty()) refuse(errc::bad_request, row.problem);
  const auto email = email_normalise(row.email);
  if (!email) refuse(errc::invalid_email);
  if (auto allowed = license_issue_allowed(partner); !allowed) refuse(allowed.error());
  const auto product = found(write.product_get(row.product), errc::product_not_found);
  const auto kind = license_kind_parse(row.kind);
  if (!kind) refuse(errc::bad_request, "kind must be free, trial or paid");

  import_plan plan;
  customer_record customer;
  if (const auto holder = must(write.customer_id_by_email(*email))) {
    customer = found(write.customer_get(*holder), errc::internal);
    if (customer.partner_id != partner.id) refuse(errc::email_taken);
  } else {
    customer.id = row.customer_id;
    customer.partner_id = partner.id;
    customer.email = *email;
    customer.name = row.customer_name;
    customer.vat_number = row.vat_number;
    customer.created_at = now;
    plan.new_customer = customer;
  }

  auto& license = plan.license;
  license.id = row.license_id;
  license.partner_id = partner.id;
  license.customer_id = customer.id;
  license.email = customer.email;
  license.product = product.id;
  license.kind = *kind;
  license.tier = row.tier.empty() ? product.tiers.front() : row.tier;
  if (std::find(product.tiers.begin(), product.tiers.end(), license.tier) == product.tiers.end())
    refuse(errc::tier_not_found);
  license.seats = row.seats;
  license.features = row.features;
  license.issued_at = row.issued_at;
  license.expires_at = row.expires_at;
  license.updated_at = now;
  license.min_version = product_min_version(product, license.kind);
  license.activation_key = row.activation_key;
  if (auto refused = product_policy_refusal(product, license)) refuse(errc::product_policy, *refused);
  if (license.kind == license_kind::free) (void)free_rules_check(write, partner, customer, license.product, settings.caps, now);
  return plan;
}

void import_plan_write(store::write_view& write, const caller& who, import_plan& plan, const import_row& row,
                       const signing& with, std::int64_t now) {
  auto& license = plan.license;
  if (plan.new_customer) {
    must(write.customer_insert(*plan.new_customer));
    audit_append(write, who, "customer.create", plan.new_customer->id, now,
                 {{"partner_id", license.partner_id}, {"external_id", row.external_id}});
  }
  if (license.kind == license_kind::free) free_cap_take(write, license);
  license_sign(license, with);
  must(write.license_insert(license));
  free_slot_take(write, license);
  must(write.import_reference_put(license.partner_id, row.external_id, license.id));
  audit_append(write, who, "license.import", license.id, now,
               {{"external_id", row.external_id}, {"customer_id", license.customer_id}, {"product", license.product},
                {"kind", license.kind}, {"issued_at", row.issued_at}});
  license_event_append(write, "imported", license, now);
}

}  // namespace

import_outcome import_rows_apply(store::write_view& write, const caller& who, const std::string& partner_id,
                                 const std::vector<import_row>& rows, const signing& with,
                                 const license_settings& settings, std::int64_t now) {
  const auto partner = found(write.partner_get(partner_id), errc::partner_not_found);
  import_outcome outcome;
  for (const auto& row : rows) {
    if (row.problem.empty() && must(write.import_reference(partner.id, row.external_id))) {
      ++outcome.unchanged;
      continue;
    }
    std::optional<import_plan> plan;
    try {
      plan = import_plan_make(write, partner, row, settings, now);
    } catch (const refusal& refused) {
      if (refused.code == errc::storage_error || refused.code == errc::storage_full || refused.code == errc::internal) throw;
      outcome.refused.push_back({row.line, row.external_id, std::string(errc_code(refused.code)),
                                 refused.message.empty() ? std::string(errc_message(refused.code)) : refused.message});
      continue;
    }
    // Every rule passed: what fails from here is the store, and stops the chunk.
    import_plan_write(write, who, *plan, row, with, now);
    ++outcome.imported;
  }
  return outcome;
}

}  // namespace licensor::server
