#include "core/licenses.hpp"

#include <algorithm>

#include "core/audit.hpp"
#include "core/events.hpp"
#include "core/free_slots.hpp"
#include "core/ids.hpp"
#include "core/license_reach.hpp"
#include "core/subscriptions.hpp"
#include "core/views.hpp"
#include "domain/activation_key.hpp"
#include "domain/product_policy.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {
namespace {

constexpr std::int64_t trial_days = 30;

// Tells the partner (and the vendor) when a free license takes it to 80% of its cap, and to all
// of it: once each way up, not at every license beyond.
void cap_threshold_event(store::write_view& write, const partner_record& partner, std::uint32_t used_before,
                         const license_settings& settings, std::int64_t now) {
  const auto cap = settings.caps.cap_for(partner.level).value_or(0);
  if (cap == 0) return;
  const auto used = used_before + 1;
  const bool reached = used == cap;
  const bool nearly = used_before * 5 < cap * 4 && used * 5 >= cap * 4 && !reached;
  if (!reached && !nearly) return;
  event_append(write, reached ? "partner.cap_reached" : "partner.cap_nearly_reached", partner.id, "partner:" + partner.id,
               {{"partner_id", partner.id}, {"level", partner.level}, {"free_licenses", used}, {"cap", cap},
                {"percent", used * 100 / cap}},
               now);
}

// Unlinks `license` from its customer's free slot; a free license holds the slot while its tokens run.
void free_slot_release(store::write_view& write, const license_record& license, const license_settings& settings,
                       std::int64_t now) {
  if (license.customer_id.empty()) return;
  free_slot_leave(write, license, now, settings.leeway_seconds);
}

}  // namespace

license_record license_visible(const store::read_view& view, const caller& who, std::string_view id) {
  auto license = found(view.license_get(id), errc::license_not_found);
  license_reach_or_refuse(view, who, license);
  return license;
}

license_record license_prepare(const store::read_view& view, const license_order& order, const signing& with,
                               std::int64_t now) {
  license_record license;
  license.id = id_generate("lic_");
  license.partner_id = order.partner_id;
  license.customer_id = order.customer_id;
  license.product = order.product;
  license.kind = order.kind;
  license.seats = order.seats;
  license.features = order.features;
  license.issued_at = now;
  license.updated_at = now;
  license.expires_at = order.expires_at;
  if (license.expires_at == 0 && license.kind == license_kind::trial) license.expires_at = now + trial_days * day_seconds;

  view.read_ahead({.product = license.product, .customer = license.customer_id});
  const auto customer = found(view.customer_get(license.customer_id), errc::customer_not_found);
  if (customer.partner_id != license.partner_id) refuse(errc::customer_not_found);
  const auto product = found(view.product_get(license.product), errc::product_not_found);
  license.tier = order.tier.value_or(product.tiers.front());
  if (std::find(product.tiers.begin(), product.tiers.end(), license.tier) == product.tiers.end())
    refuse(errc::tier_not_found);
  license.min_version = product_min_version(product, license.kind);
  license.email = customer.email;
  license.activation_key = activation_key_generate();
  license_presign(license, with);
  return license;
}

license_issued license_issue(store::write_view& write, const caller& who, license_record& license, const signing& with,
                             const license_settings& settings, std::int64_t now) {
  write.read_ahead({.partner = license.partner_id, .product = license.product, .customer = license.customer_id});
  const auto partner = found(write.partner_get(license.partner_id), errc::partner_not_found);
  if (auto allowed = license_issue_allowed(partner); !allowed) refuse(allowed.error());
  const auto product = found(write.product_get(license.product), errc::product_not_found);
  if (auto refused = product_policy_refusal(product, license)) refuse(errc::product_policy, *refused);
  const auto customer = found(write.customer_get(license.customer_id), errc::customer_not_found);
  // The token was signed for this email; a customer cannot change it, so this only guards a race with a delete.
  if (customer.email != license.email || customer.partner_id != license.partner_id) refuse(errc::conflict);
  if (license.kind == license_kind::free) {
    const auto used_before = free_rules_check(write, partner, customer, license.product, settings.caps, now);
    free_cap_take(write, license);
    cap_threshold_event(write, partner, used_before, settings, now);
  }
  license_sign(license, with);  // signed ahead by license_prepare
  if (auto inserted = write.license_insert(license); !inserted)
    refuse(inserted.error() == errc::conflict ? errc::conflict : inserted.error());
  free_slot_take(write, license);
  audit_append(write, who, "license.issue", license.id, now,
               {{"customer_id", license.customer_id}, {"product", license.product}, {"kind", license.kind},
                {"tier", license.tier}, {"seats", license.seats}});
  auto view = license_event_append(write, "issued", license, now);
  return {partner, std::move(view)};
}

void license_delivery_request(store::write_view& write, const caller& who, std::string_view id, std::int64_t now) {
  const auto license = license_visible(write, who, id);
  if (auto allowed = license_token_handout_allowed(license); !allowed) refuse(allowed.error());
  audit_append(write, who, "license.delivery_request", license.id, now);
  license_event_append(write, "delivery_requested", license, now);
}

void license_delivery_on_issue(store::write_view& write, const license_record& license, std::optional<bool> asked,
                               std::int64_t now) {
  if (!asked) asked = found(write.partner_get(license.partner_id), errc::partner_not_found).deliver_at_issuance;
  if (*asked) license_event_append(write, "delivery_requested", license, now);
}

license_record license_token_fresh(store::write_view& write, const caller& who, std::string_view id,
                                   const signing& with, std::int64_t now) {
  auto license = license_visible(write, who, id);
  if (license.status == license_status::revoked) refuse(errc::license_revoked);
  // A fresh token moves the license to the active key, and renews a free token running out.
  if (license.kid != with.signer->active_kid.value || free_token_renewal_due(license, now)) {
    license.updated_at = now;
    license_sign(license, with);
    must(write.license_put(license));
    audit_append(write, who, "license.resign", license.id, now, {{"kid", license.kid}});
  }
  return license;
}

license_record license_status_set(store::write_view& write, const caller& who, std::string_view id,
                                  const std::string& action, const signing& with, const license_settings& settings,
                                  std::int64_t now) {
  // Subscriptions have their own rules (trials locked, add-ons follow, auto_renew off).
  if (auto changed = subscription_status_change(write, who, std::string(id), action, with, now)) return *changed;
  auto license = license_visible(write, who, id);
  // Status is not a claim (validate answers from the store): no new token.
  auto next = license_status_change(license.status, action);
  if (!next) refuse(next.error());
  // A revoked free license stops counting, as a deleted one does.
  if (*next == license_status::revoked) free_license_leave(write, license, now, settings.leeway_seconds);
  license.status = *next;
  license.updated_at = now;
  must(write.license_put(license));
  audit_append(write, who, "license." + action, license.id, now);
  license_event_append(write, license_status_event(action), license, now);
  return license;
}

license_record license_correct(store::write_view& write, const caller& who, std::string_view id,
                               const license_correction& correction, const signing& with, std::int64_t now) {
  auto license = license_visible(write, who, id);
  if (license.status == license_status::revoked) refuse(errc::license_revoked);
  if (must(write.subscription_get(license.id)))
    refuse(errc::conflict, "a subscription's expiry is its term: renew, cancel or change it instead");
  auto before = nlohmann::json::object();
  auto after = nlohmann::json::object();
  if (correction.expires_at && *correction.expires_at != license.expires_at) {
    before["expires_at"] = time_or_null(license.expires_at);
    license.expires_at = *correction.expires_at;
    after["expires_at"] = time_or_null(license.expires_at);
  }
  if (correction.features && *correction.features != license.features) {
    before["features"] = license.features;
    license.features = *correction.features;
    after["features"] = license.features;
  }
  if (after.empty()) return license;
  license.updated_at = now;
  license_sign(license, with);
  must(write.license_put(license));
  audit_append(write, who, "license.correct", license.id, now, {{"before", std::move(before)}, {"after", std::move(after)}});
  license_event_append(write, "corrected", license, now);
  return license;
}

license_record license_unlink(store::write_view& write, const caller& who, std::string_view id,
                              const license_settings& settings, std::int64_t now) {
  auto license = license_visible(write, who, id);
  if (license.customer_id.empty()) refuse(errc::license_unlinked);
  free_slot_release(write, license, settings, now);
  const auto former = license.customer_id;
  license.customer_id.clear();
  license.updated_at = now;
  must(write.license_put(license));
  audit_append(write, who, "license.unlink", license.id, now, {{"customer_id", former}});
  license_event_append(write, "unlinked", license, now);
  return license;
}

license_record license_transfer(store::write_view& write, const caller& who, std::string_view id,
                                const std::string& customer_id, const signing& with,
                                const license_settings& settings, std::int64_t now) {
  auto license = license_visible(write, who, id);
  if (license.status == license_status::revoked) refuse(errc::license_revoked);
  // It gave back its slots when it expired (core/compliance.hpp); a new license is the way back.
  if (license.kind == license_kind::free && license.status == license_status::expired)
    refuse(errc::conflict, "the free license expired for non-compliance: issue a new one");
  const auto target = found(write.customer_get(customer_id), errc::customer_not_found);
  if (target.partner_id != license.partner_id) refuse(errc::customer_not_found);
  if (target.id == license.customer_id) refuse(errc::conflict, "the license already belongs to this customer");
  if (license.kind == license_kind::free) {
    const auto partner = found(write.partner_get(license.partner_id), errc::partner_not_found);
    // The license already counts against the cap, so only the per-customer and domain rules apply.
    if (email_in_partner_domains(partner, target.email)) refuse(errc::partner_domain_email);
    if (free_slot_held(write, target.id, license.product, now)) refuse(errc::free_license_exists);
  }
  free_slot_release(write, license, settings, now);
  const auto former = license.customer_id;
  license.customer_id = target.id;
  license.email = target.email;
  license.fingerprint.clear();  // a new owner activates on their own machine
  license.updated_at = now;
  license_sign(license, with);
  must(write.license_put(license));
  free_slot_take(write, license);
  audit_append(write, who, "license.transfer", license.id, now, {{"from", former}, {"to", target.id}});
  license_event_append(write, "transferred", license, now);
  return license;
}

void license_delete(store::write_view& write, const caller& who, std::string_view id, const signing& with,
                    const license_settings& settings, std::int64_t now) {
  const auto license = license_visible(write, who, id);
  // A subscription leaves nothing behind that points at it (its base's list, its add-ons, its
  // members, its schedule entry), or the scheduler would trip over it.
  subscription_unwind(write, license, with, who, now);
  free_license_leave(write, license, now, settings.leeway_seconds);
  must(write.license_erase(license.id));
  audit_append(write, who, "license.delete", license.id, now, {{"customer_id", license.customer_id}, {"kind", license.kind}});
  license_event_append(write, "deleted", license, now);  // the license as it was
}

}  // namespace licensor::server
