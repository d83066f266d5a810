#include "core/subscription_changes.hpp"

#include <algorithm>

#include "core/audit.hpp"
#include "core/events.hpp"
#include "core/free_slots.hpp"
#include "core/licenses.hpp"
#include "core/partners.hpp"
#include "core/subscription_records.hpp"
#include "core/subscriptions.hpp"
#include "domain/product_policy.hpp"
#include "domain/rules.hpp"
#include "subscription/charges.hpp"
#include "subscription/rules.hpp"

namespace licensor::server {
namespace sub = subscription;
namespace {

void require(const result<void>& allowed) {
  if (!allowed) refuse(allowed.error());
}

void tier_exists_or_refuse(const product_record& product, const std::string& tier) {
  if (std::find(product.tiers.begin(), product.tiers.end(), tier) == product.tiers.end()) refuse(errc::tier_not_found);
}

}  // namespace

license_record subscription_create(store::write_view& write, const caller& who, subscription_order order,
                                   const signing& with, std::int64_t now) {
  auto& license = order.license;
  const auto partner = found(write.partner_get(license.partner_id), errc::partner_not_found);
  require(license_issue_allowed(partner));
  const auto paying = payer_of(write, who, license.partner_id);
  const auto customer = found(write.customer_get(license.customer_id), errc::customer_not_found);
  if (customer.partner_id != license.partner_id) refuse(errc::customer_not_found);
  const auto product = found(write.product_get(license.product), errc::product_not_found);
  license.tier = order.tier.value_or(product.tiers.front());
  tier_exists_or_refuse(product, license.tier);
  if (auto refused = product_policy_refusal(product, license)) refuse(errc::product_policy, *refused);
  const auto price = tier_price_of(product, license.tier);
  license.min_version = product_min_version(product, license.kind);
  license.email = customer.email;
  if (!order.converting) license.issued_at = now;

  sub::subscription_record terms;
  terms.license_id = license.id;
  terms.term = std::string(sub::term_name(order.term));
  terms.auto_renew = order.auto_renew;
  terms.trial = order.trial;
  terms.currency = price.currency;
  terms.created_at = now;
  terms.term_start = now;
  std::int64_t unit = 0;
  std::string reason = "purchase";
  if (!order.base_license_id.empty()) {
    // An add-on: needs an active base subscription of the same customer; its end follows the base.
    auto base_license = found(write.license_get(order.base_license_id), errc::license_not_found);
    if (base_license.partner_id != license.partner_id) refuse(errc::license_not_found);
    auto base = subscription_find(write, order.base_license_id);
    if (!base || base_license.status != license_status::active || !base->base_license_id.empty()) refuse(errc::base_not_active);
    if (base_license.customer_id != license.customer_id)
      refuse(errc::bad_request, "an add-on belongs to its base license's customer");
    terms.base_license_id = order.base_license_id;
    terms.term = base->term;
    terms.anchor_at = base->anchor_at;
    terms.period = base->period;
    terms.term_end = base->term_end;
    unit = sub::discount_apply(
        sub::seat_midterm_price(price, sub::term_parse(base->term).value_or(sub::term_kind::monthly), now, base->term_end),
        paying.discount_percent);
    reason = "add_on";
    base->addons.push_back(license.id);
    subscription_save(write, *base, base_license);
  } else if (order.trial) {
    terms.anchor_at = now;
    terms.term_end = now + order.trial_days.value_or(sub::trial_default_days) * sub::day_seconds;
  } else {
    const auto fresh = sub::term_fresh(order.term, now);
    terms.anchor_at = fresh.anchor_at;
    terms.period = fresh.period;
    terms.term_end = fresh.end;
    unit = sub::discount_apply(sub::seat_term_price(price, order.term), paying.discount_percent);
  }
  license.expires_at = terms.term_end;
  license.updated_at = now;
  terms.lots = {sub::seat_lot{license.seats, now, unit, terms.term_end}};
  license_sign(license, with);
  if (order.converting) {
    must(write.license_put(license));
  } else if (auto inserted = write.license_insert(license); !inserted) {
    refuse(inserted.error());
  }
  ledger_append(write, terms, license, order.converting ? "conversion" : reason, unit * license.seats, now,
                terms.term_end, paying, now);
  subscription_save(write, terms, license);
  audit_append(write, who, "subscription.create", license.id, now,
               {{"customer_id", license.customer_id}, {"product", license.product}, {"tier", license.tier},
                {"term", terms.term}, {"seats", license.seats}, {"trial", order.trial}, {"auto_renew", terms.auto_renew},
                {"base_license_id", order.base_license_id}, {"converted_from_free", order.converting}});
  license_event_append(write, order.converting ? "converted" : "issued", license, now);
  subscription_event_append(write, "created", license, now);
  return license;
}

license_record subscription_seats_set(store::write_view& write, const caller& who, const std::string& id,
                                      std::uint32_t seats, const signing& with, std::int64_t now) {
  auto [license, terms] = subscription_for(write, who, id);
  require(sub::seat_change_allowed(terms, license.status));
  if (seats == license.seats) refuse(errc::conflict, "the license already has this many seats");
  const auto paying = payer_of(write, who, license.partner_id);
  const auto before = license.seats;
  if (seats > license.seats) {
    partner_issuing_or_refuse(write, license.partner_id);
    const auto product = found(write.product_get(license.product), errc::product_not_found);
    const auto price = tier_price_of(product, license.tier);
    const auto term = sub::term_parse(terms.term).value_or(sub::term_kind::monthly);
    const auto unit = sub::discount_apply(sub::seat_midterm_price(price, term, now, terms.term_end), paying.discount_percent);
    const auto added = seats - license.seats;
    terms.lots.push_back({added, now, unit, terms.term_end});
    license.seats = seats;
    ledger_append(write, terms, license, "seats_added", unit * added, now, terms.term_end, paying, now);
  } else {
    if (seats < sub::seats_needed(members_count(write, license.id))) refuse(errc::seats_in_use);
    auto plan = sub::seat_decrease_plan(terms.lots, license.seats - seats, now);
    if (!plan) refuse(plan.error());
    terms.lots = plan->lots;
    license.seats = seats;
    ledger_append(write, terms, license, "seat_decrease", -sub::seat_decrease_refund(plan->removed, now), now,
                  terms.term_end, paying, now);
  }
  terms.scheduled = {};  // changing seats removes a scheduled change
  license_resign(write, license, with, now);
  subscription_save(write, terms, license);
  audit_append(write, who, "subscription.seats", license.id, now, {{"from", before}, {"to", seats}});
  subscription_event_append(write, "seats_changed", license, now, {{"seats_before", before}});
  return license;
}

member_change member_add(store::write_view& write, const caller& who, const std::string& id, const std::string& email,
                         std::int64_t now) {
  auto [license, terms] = subscription_for(write, who, id);
  if (license.status != license_status::active) refuse(errc::subscription_not_active);
  partner_issuing_or_refuse(write, license.partner_id);
  // The customer's own email already holds a seat (sub::owner_seats), like a member's.
  const bool present = email == license.email || member_exists(write, license.id, email);
  if (auto allowed = sub::member_add_allowed(present, members_count(write, license.id), license.seats); !allowed)
    refuse(allowed.error(), email == license.email ? "the subscription's own email already holds a seat" : "");
  sub::member_record member;
  member.email = email;
  member.added_at = now;
  if (auto inserted = write.member_insert(license.id, member); !inserted)
    refuse(inserted.error() == errc::conflict ? errc::member_exists : inserted.error());
  audit_append(write, who, "subscription.member_add", license.id, now, {{"email", email}});
  subscription_event_append(write, "member_added", license, now, {{"member", email}});
  return {license, members_count(write, license.id)};
}

member_change member_remove(store::write_view& write, const caller& who, const std::string& id, const std::string& email,
                            std::int64_t now) {
  auto [license, terms] = subscription_for(write, who, id);
  member_erase(write, license.id, found(write.member_get(license.id, email), errc::member_not_found));
  audit_append(write, who, "subscription.member_remove", license.id, now, {{"email", email}});
  subscription_event_append(write, "member_removed", license, now, {{"member", email}});
  return {license, members_count(write, license.id)};
}

membership members_list(const store::read_view& view, const caller& who, const std::string& id) {
  auto [license, terms] = subscription_for(view, who, id);
  return {license, members_of(view, license.id)};
}

upgrade_result subscription_upgrade(store::write_view& write, const caller& who, const std::string& id,
                                    const std::string& tier, std::optional<std::uint32_t> seats,
                                    const std::string& new_id, const std::string& new_key, const signing& with,
                                    std::int64_t now) {
  auto [license, terms] = subscription_for(write, who, id);
  if (license.status != license_status::active || now >= terms.term_end) refuse(errc::subscription_not_active);
  partner_issuing_or_refuse(write, license.partner_id);
  const auto product = found(write.product_get(license.product), errc::product_not_found);
  require(sub::upgrade_tier_allowed(product.tiers, license.tier, tier));
  if (terms.trial) {  // a free upgrade: the trial stays within what the product lets trials grant
    auto upgraded = license;
    upgraded.tier = tier;
    if (auto refused = product_policy_refusal(product, upgraded)) refuse(errc::product_policy, *refused);
  }
  const auto price_new = tier_price_of(product, tier);
  const auto price_old = tier_price_of(product, license.tier);
  const auto paying = payer_of(write, who, license.partner_id);
  const auto term = sub::term_parse(terms.term).value_or(sub::term_kind::monthly);
  const auto months = std::min<std::int64_t>(sub::months_remaining_ceil(now, terms.term_end), sub::term_months(term));
  // Only the difference for the remaining months (rounded up) is charged; trials pay nothing.
  const auto diff = terms.trial ? 0
                                : std::max<std::int64_t>(0, sub::discount_apply(sub::seat_months_price(price_new, term, months), paying.discount_percent) -
                                                                sub::discount_apply(sub::seat_months_price(price_old, term, months), paying.discount_percent));
  const bool partial = seats && *seats < license.seats;
  terms.scheduled = {};  // an upgrade mid-term removes a scheduled change
  if (!partial) {
    const auto from = license.tier;
    license.tier = tier;
    for (auto& lot : terms.lots) lot.unit_charge += diff;
    ledger_append(write, terms, license, "upgrade", diff * license.seats, now, terms.term_end, paying, now);
    license_resign(write, license, with, now);
    subscription_save(write, terms, license);
    audit_append(write, who, "subscription.upgrade", license.id, now, {{"from", from}, {"to", tier}, {"seats", license.seats}});
    subscription_event_append(write, "upgraded", license, now, {{"tier_before", from}});
    return {license, std::nullopt};
  }
  if (terms.trial) refuse(errc::trial_locked, "a trial upgrades whole or converts");
  if (!terms.base_license_id.empty()) refuse(errc::bad_request, "an add-on upgrades whole");
  const auto moved = *seats;
  if (license.seats - moved < sub::seats_needed(members_count(write, license.id))) refuse(errc::seats_in_use);
  // The moved seats leave the newest lots first; they were paid for, so nothing is refunded.
  std::stable_sort(terms.lots.begin(), terms.lots.end(),
                   [](const sub::seat_lot& a, const sub::seat_lot& b) { return a.added_at > b.added_at; });
  std::uint32_t left = moved;
  std::int64_t moved_paid = 0;
  for (auto& lot : terms.lots) {
    const auto taken = std::min(left, lot.count);
    lot.count -= taken;
    moved_paid += taken * lot.unit_charge;
    left -= taken;
  }
  std::erase_if(terms.lots, [](const sub::seat_lot& l) { return l.count == 0; });
  terms.term_charged -= moved_paid;
  license.seats -= moved;
  license_resign(write, license, with, now);
  subscription_save(write, terms, license);

  // The new license: the same customer and end date (coterminous), the higher tier.
  license_record upgraded = license;
  upgraded.id = new_id;
  upgraded.activation_key = new_key;
  upgraded.tier = tier;
  upgraded.seats = moved;
  upgraded.fingerprint.clear();
  upgraded.issued_at = now;
  upgraded.updated_at = now;
  sub::subscription_record split = terms;
  split.license_id = new_id;
  split.addons.clear();
  split.schedule_due = 0;
  split.term_charged = moved_paid;
  split.created_at = now;
  split.term_start = now;
  split.lots = {sub::seat_lot{moved, now, moved_paid / moved + diff, terms.term_end}};
  license_sign(upgraded, with);
  if (auto inserted = write.license_insert(upgraded); !inserted) refuse(inserted.error());
  ledger_append(write, split, upgraded, "upgrade", diff * moved, now, split.term_end, paying, now);
  subscription_save(write, split, upgraded);
  audit_append(write, who, "subscription.upgrade_partial", license.id, now,
               {{"to", tier}, {"seats", moved}, {"new_license_id", new_id}});
  audit_append(write, who, "subscription.create", new_id, now, {{"from_license_id", license.id}, {"tier", tier}, {"seats", moved}});
  license_event_append(write, "issued", upgraded, now);
  subscription_event_append(write, "created", upgraded, now, {{"upgraded_from", license.id}});
  subscription_event_append(write, "seats_changed", license, now, {{"seats_before", license.seats + moved}});
  return {license, upgraded};
}

license_record scheduled_change_set(store::write_view& write, const caller& who, const std::string& id,
                                    sub::scheduled_change change, std::int64_t now) {
  auto [license, terms] = subscription_for(write, who, id);
  require(sub::scheduled_change_allowed(terms, license.status));
  partner_issuing_or_refuse(write, license.partner_id);
  if (!terms.base_license_id.empty() && !change.term.empty()) refuse(errc::bad_request, "an add-on's term follows its base");
  if (!change.tier.empty()) {
    const auto product = found(write.product_get(license.product), errc::product_not_found);
    tier_exists_or_refuse(product, change.tier);
    (void)tier_price_of(product, change.tier);
  }
  if (change.seats != 0 && change.seats < sub::seats_needed(members_count(write, license.id))) refuse(errc::seats_in_use);
  change.requested_at = now;
  terms.scheduled = change;
  subscription_save(write, terms, license);
  audit_append(write, who, "subscription.schedule_change", license.id, now, change);
  subscription_event_append(write, "scheduled_change_set", license, now);
  return license;
}

license_record scheduled_change_drop(store::write_view& write, const caller& who, const std::string& id, std::int64_t now) {
  auto [license, terms] = subscription_for(write, who, id);
  if (terms.scheduled.empty()) refuse(errc::no_scheduled_change);
  const auto dropped = terms.scheduled;
  terms.scheduled = {};
  subscription_save(write, terms, license);
  audit_append(write, who, "subscription.schedule_cancel", license.id, now, dropped);
  return license;
}

license_record auto_renew_set(store::write_view& write, const caller& who, const std::string& id, bool on, std::int64_t now) {
  auto [license, terms] = subscription_for(write, who, id);
  if (license.status != license_status::active) refuse(errc::subscription_not_active);
  terms.auto_renew = on;
  if (!on) terms.scheduled = {};  // turning auto_renew off removes a scheduled change
  subscription_save(write, terms, license);
  audit_append(write, who, "subscription.auto_renew", license.id, now, {{"on", on}});
  return license;
}

license_record subscription_cancel(store::write_view& write, const caller& who, const std::string& id,
                                   const signing& with, std::int64_t now) {
  auto [license, terms] = subscription_for(write, who, id);
  if (license.status == license_status::revoked) refuse(errc::license_revoked);
  require(sub::cancel_allowed(terms, license.status, now));
  const auto paying = payer_of(write, who, license.partner_id);
  const auto refund = sub::refund_prorated(terms.term_charged, terms.term_start, terms.term_end, now);
  // The tokens stop where the refund starts: none outlives what was paid for.
  license.expires_at = sub::cancel_end(terms.term_start, terms.term_end, terms.term_charged, now);
  ledger_append(write, terms, license, "cancellation", -refund, now, terms.term_end, paying, now);
  license.status = license_status::cancelled;
  terms.auto_renew = false;
  terms.scheduled = {};
  for (const auto& addon : terms.addons) addon_end(write, addon, license_status::cancelled, with, now, who);
  license_resign(write, license, with, now);
  subscription_save(write, terms, license);
  audit_append(write, who, "subscription.cancel", license.id, now, {{"refund", refund}, {"currency", terms.currency}});
  subscription_event_append(write, "cancelled", license, now, {{"refund", refund}});
  return license;
}

license_record subscription_reactivate(store::write_view& write, const caller& who, const std::string& id,
                                       const signing& with, std::int64_t now) {
  (void)subscription_for(write, who, id);
  // A suspension is the partner's hold (an unpaid invoice, say): the customer cannot lift it.
  if (who.kind == caller_kind::customer) refuse(errc::forbidden, "a suspended subscription is reactivated by its partner");
  return *subscription_status_change(write, who, id, "reinstate", with, now);
}

license_record free_license_convert(store::write_view& write, const caller& who, const std::string& id,
                                    const free_conversion& order, const signing& with, std::int64_t now) {
  auto license = license_visible(write, who, id);
  if (license.kind != license_kind::free || license.status != license_status::active)
    refuse(errc::conversion_not_allowed, "only a free license in force converts to paid");
  if (license.customer_id.empty()) refuse(errc::license_unlinked);
  partner_issuing_or_refuse(write, license.partner_id);
  const auto product = found(write.product_get(license.product), errc::product_not_found);
  if (order.tier) tier_exists_or_refuse(product, *order.tier);
  free_license_converted(write, license);
  license.kind = license_kind::paid;
  license.compliance = {};  // the programme's registration rules are the free licenses'
  if (order.seats) license.seats = *order.seats;
  license.updated_at = now;
  const nlohmann::json converted{{"from", "free"}, {"to", order.subscription ? "subscription" : "paid"}};
  if (order.subscription) {
    subscription_order sold;
    sold.license = license;
    sold.tier = order.tier.value_or(license.tier);
    sold.term = order.term.value_or(sub::term_kind::monthly);
    sold.converting = true;
    license = subscription_create(write, who, sold, with, now);
    audit_append(write, who, "license.convert", license.id, now, converted);
    return license;
  }
  if (order.tier) license.tier = *order.tier;
  license.expires_at = order.expires_at;
  license.min_version = product_min_version(product, license.kind);
  license_sign(license, with);
  must(write.license_put(license));
  audit_append(write, who, "license.convert", license.id, now, converted);
  license_event_append(write, "converted", license, now);
  return license;
}

conversion_result trial_convert(store::write_view& write, const caller& who, const std::string& id,
                                const conversion_order& order, const signing& with, std::int64_t now) {
  auto [license, terms] = subscription_for(write, who, id);
  if (!terms.trial) refuse(errc::conversion_not_allowed, "only a trial converts");
  if (license.status != license_status::active || now >= terms.term_end) refuse(errc::subscription_not_active);
  partner_issuing_or_refuse(write, license.partner_id);
  if (order.into_license_id) {
    auto [target, target_terms] = subscription_for(write, who, *order.into_license_id);
    require(sub::trial_conversion_target_ok(terms, license, target_terms, target));
    // The trial's members move into the subscription, within its seats.
    const auto moving = members_of(write, license.id);
    // (Named copies: clang before 16 does not let a lambda capture a structured binding.)
    const auto& target_email = target.email;
    const auto& target_id = target.id;
    const auto joining = static_cast<std::uint32_t>(std::count_if(moving.begin(), moving.end(), [&](const sub::member_record& m) {
      return m.email != target_email && !member_exists(write, target_id, m.email);
    }));
    if (sub::seats_needed(members_count(write, target.id) + joining) > target.seats) refuse(errc::seats_exhausted);
    for (const auto& member : moving) {
      member_erase(write, license.id, member);
      if (member.email == target.email) continue;
      sub::member_record moved;
      moved.email = member.email;
      moved.added_at = now;
      if (auto inserted = write.member_insert(target.id, moved); !inserted && inserted.error() != errc::conflict)
        refuse(inserted.error());
    }
    license.status = license_status::cancelled;
    license.expires_at = sub::cancel_end(terms.term_start, terms.term_end, terms.term_charged, now);  // a trial: now
    terms.auto_renew = false;
    terms.scheduled = {};
    terms.converted_into = target.id;
    // The trial is cancelled: its add-ons end with it, as with any cancelled base.
    for (const auto& addon : terms.addons) addon_end(write, addon, license_status::cancelled, with, now, who);
    license_resign(write, license, with, now);
    subscription_save(write, terms, license);
    audit_append(write, who, "subscription.trial_convert", license.id, now, {{"into_license_id", target.id}});
    subscription_event_append(write, "trial_converted", license, now, {{"into_license_id", target.id}});
    return {license, target};
  }
  const auto product = found(write.product_get(license.product), errc::product_not_found);
  if (order.tier) {
    tier_exists_or_refuse(product, *order.tier);
    license.tier = *order.tier;
  }
  (void)tier_price_of(product, license.tier);
  if (order.seats) {
    require(sub::conversion_seats_allowed(license.seats, *order.seats, members_count(write, license.id)));
    license.seats = *order.seats;
  }
  const auto term = order.term.value_or(sub::term_parse(terms.term).value_or(sub::term_kind::monthly));
  const auto fresh = sub::term_fresh(term, now);
  terms.trial = false;
  terms.scheduled = {};  // converting a trial removes a scheduled change
  sub::term_enter(terms, fresh);
  license.kind = license_kind::paid;
  license.expires_at = fresh.end;
  license.min_version = product_min_version(product, license.kind);
  subscription_term_charge(write, terms, license, "conversion", who, now);
  license_resign(write, license, with, now);
  subscription_save(write, terms, license);
  for (const auto& addon : terms.addons) addon_follow(write, addon, terms, with, now, "conversion", true, true);
  audit_append(write, who, "subscription.trial_convert", license.id, now,
               {{"term", terms.term}, {"seats", license.seats}, {"tier", license.tier}});
  subscription_event_append(write, "trial_converted", license, now);
  return {license, std::nullopt};
}

std::optional<subscription_summary> subscription_summary_of(const store::read_view& view, const std::string& license_id) {
  auto terms = subscription_find(view, license_id);
  if (!terms) return std::nullopt;
  return subscription_summary{std::move(*terms), members_count(view, license_id)};
}

}  // namespace licensor::server
