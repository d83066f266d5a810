#include "core/subscription_records.hpp"

#include "core/audit.hpp"
#include "core/events.hpp"
#include "core/license_reach.hpp"
#include "core/partners.hpp"
#include "core/subscription_views.hpp"
#include "domain/secret_hash.hpp"
#include "licensor/rfc3339.hpp"
#include "subscription/charges.hpp"
#include "subscription/rules.hpp"

namespace licensor::server {
namespace sub = subscription;

std::optional<sub::subscription_record> subscription_find(const store::read_view& view, std::string_view license_id) {
  return must(view.subscription_get(license_id));
}

std::optional<license_record> license_lookup(const store::read_view& view, std::string_view id) {
  return must(view.license_get(id));
}

subscribed subscription_for(const store::read_view& view, const caller& who, const std::string& id) {
  auto license = found(view.license_get(id), errc::license_not_found);
  license_reach_or_refuse(view, who, license);
  auto terms = subscription_find(view, id);
  if (!terms) refuse(errc::not_a_subscription);
  return {std::move(license), std::move(*terms)};
}

void subscription_save(store::write_view& write, sub::subscription_record& s, const license_record& license) {
  const bool queued = (license.status == license_status::active || license.status == license_status::suspended) && s.base_license_id.empty();
  must(write.subscription_put(s, queued ? s.term_end : 0));
}

void license_resign(store::write_view& write, license_record& license, const signing& with, std::int64_t now) {
  license.updated_at = now;
  license_sign(license, with);
  must(write.license_put(license));
}

payer payer_of(const store::read_view& view, const caller& who, const std::string& partner_id) {
  const auto partner = found(view.partner_get(partner_id), errc::partner_not_found);
  return {who.id, who.kind == caller_kind::customer ? 0 : partner.discount_percent};
}

void ledger_append(store::write_view& write, sub::subscription_record& s, const license_record& license,
                   std::string_view reason, std::int64_t amount, std::int64_t period_start, std::int64_t period_end,
                   const payer& paying, std::int64_t now) {
  if (amount == 0) return;
  sub::ledger_entry entry;
  entry.license_id = license.id;
  entry.partner_id = license.partner_id;
  entry.at = now;
  entry.type = amount > 0 ? "charge" : "refund";
  entry.reason = reason;
  entry.amount = amount;
  entry.currency = s.currency;
  entry.tier = license.tier;
  entry.seats = license.seats;
  entry.period_start = period_start;
  entry.period_end = period_end;
  entry.discount_percent = paying.discount_percent;
  entry.by = paying.by;
  (void)must(write.ledger_append(entry));  // the store assigns the sequence
  event_append(write, "ledger.entry", license.partner_id, "license:" + license.id, ledger_view(entry), now);
  s.term_charged += amount;
}

void subscription_term_charge(store::write_view& write, sub::subscription_record& s, license_record& license,
                              std::string_view reason, const caller& who, std::int64_t now) {
  const auto product = found(write.product_get(license.product), errc::product_not_found);
  const auto paying = payer_of(write, who, license.partner_id);
  tier_price price;
  if (const auto it = product.prices.find(license.tier); it != product.prices.end()) price = it->second;
  const auto term = sub::term_parse(s.term).value_or(sub::term_kind::monthly);
  const auto unit = sub::discount_apply(sub::seat_term_price(price, term), paying.discount_percent);
  if (!price.currency.empty()) s.currency = price.currency;
  s.term_charged = 0;
  s.lots = {sub::seat_lot{license.seats, s.term_start, unit, s.term_end}};
  ledger_append(write, s, license, reason, unit * license.seats, s.term_start, s.term_end, paying, now);
}

tier_price tier_price_of(const product_record& product, std::string_view tier) {
  const auto it = product.prices.find(std::string(tier));
  if (it == product.prices.end() || it->second.currency.empty())
    refuse(errc::price_not_found, "product '" + product.id + "' has no price for tier '" + std::string(tier) + "'");
  return it->second;
}

std::uint32_t members_count(const store::read_view& view, std::string_view license_id) {
  return must(view.members_count(license_id));
}

std::vector<sub::member_record> members_of(const store::read_view& view, const std::string& license_id) {
  return must(view.members_of(license_id));
}

void member_erase(store::write_view& write, const std::string& license_id, const sub::member_record& member) {
  for (const auto& hash : member.token_hashes)
    must(write.token_binding_put(hash, {license_id, member.kid, member.email, /*withdrawn=*/true}));
  must(write.member_erase(license_id, member.email));
}

void addon_follow(store::write_view& write, const std::string& addon_id, const sub::subscription_record& base,
                  const signing& with, std::int64_t now, std::string_view reason, bool refund_unused,
                  bool changes_allowed) {
  auto addon_sub = subscription_find(write, addon_id);
  auto addon_found = license_lookup(write, addon_id);
  if (!addon_sub || !addon_found) return;
  auto& addon = *addon_found;
  if (addon.status != license_status::active && addon.status != license_status::suspended) return;
  if (addon.status == license_status::suspended || !addon_sub->auto_renew) {
    addon_end(write, addon_id, license_status::expired, with, now, scheduler_caller);
    return;
  }
  if (!changes_allowed) addon_sub->scheduled = {};
  // The add-on's own scheduled change (tier, seats) takes effect with the base's new term.
  if (!addon_sub->scheduled.tier.empty()) addon.tier = addon_sub->scheduled.tier;
  if (addon_sub->scheduled.seats != 0)
    addon.seats = std::max(addon_sub->scheduled.seats, sub::seats_needed(members_count(write, addon.id)));
  addon_sub->scheduled = {};
  if (refund_unused) {
    // The base moved to a new term mid-way (a trial converted): give back the add-on's unused
    // days before charging it the base's new term, so no day is paid twice.
    const auto refund = sub::refund_prorated(addon_sub->term_charged, addon_sub->term_start, addon_sub->term_end, now);
    ledger_append(write, *addon_sub, addon, reason, -refund, now, addon_sub->term_end,
                  payer_of(write, scheduler_caller, addon.partner_id), now);
  }
  sub::term_enter(*addon_sub, {base.term, base.anchor_at, base.period, base.term_start, base.term_end});
  addon.expires_at = base.term_end;
  subscription_term_charge(write, *addon_sub, addon, reason, scheduler_caller, now);
  license_resign(write, addon, with, now);
  subscription_save(write, *addon_sub, addon);
  audit_append(write, scheduler_caller, "subscription.addon_" + std::string(reason), addon.id, now,
               {{"base_license_id", base.license_id}, {"term_end", rfc3339_format(base.term_end)}});
}

void addon_end(store::write_view& write, const std::string& addon_id, license_status status, const signing& with,
               std::int64_t now, const caller& who) {
  auto addon_sub = subscription_find(write, addon_id);
  auto addon_found = license_lookup(write, addon_id);
  if (!addon_sub || !addon_found) return;
  auto& addon = *addon_found;
  if (addon.status != license_status::active && addon.status != license_status::suspended) return;
  if (status == license_status::cancelled) {
    const auto refund = sub::refund_prorated(addon_sub->term_charged, addon_sub->term_start, addon_sub->term_end, now);
    addon.expires_at = sub::cancel_end(addon_sub->term_start, addon_sub->term_end, addon_sub->term_charged, now);
    ledger_append(write, *addon_sub, addon, "cancellation", -refund, now, addon_sub->term_end,
                  payer_of(write, who, addon.partner_id), now);
  }
  addon.status = status;
  addon_sub->auto_renew = false;
  addon_sub->scheduled = {};
  addon_sub->suspended_by_base = false;
  license_resign(write, addon, with, now);
  subscription_save(write, *addon_sub, addon);
  audit_append(write, who, "subscription.addon_" + std::string(status == license_status::cancelled ? "cancel" : "expire"), addon.id,
               now, {{"base_license_id", addon_sub->base_license_id}});
}

}  // namespace licensor::server
