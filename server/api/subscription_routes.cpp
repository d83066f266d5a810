// Subscriptions (docs/subscriptions.md): create, seats, members, upgrades, scheduled changes,
// auto-renew, cancel, reactivate, trial conversion, the ledger and the delivery text.
// Each change reads and checks inside its write transaction (svc.commit), re-signs the token
// when a token-visible field changes, and appends to the audit log. Jobs capture by value only.
#include <algorithm>

#include "api/body_reader.hpp"
#include "api/license_signing.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "api/scope.hpp"
#include "api/subscription_ops.hpp"
#include "api/views.hpp"
#include "domain/activation_key.hpp"
#include "domain/product_policy.hpp"
#include "licensor/email.hpp"
#include "licensor/rfc3339.hpp"
#include "store/schema.hpp"
#include "subscription/charges.hpp"
#include "subscription/rules.hpp"

namespace licensor::server {
namespace sub = subscription;
namespace {

struct subscribed {
  license_record license;
  sub::subscription_record terms;
};

// A subscription license visible to the caller, inside a change or a read.
subscribed subscription_for(const store::txn& t, const caller& who, const std::string& id) {
  auto license = record_get<license_record>(t, store::db::licenses, id, errc::license_not_found);
  if (who.kind == caller_kind::partner && license.partner_id != who.partner_id) api_fail(errc::license_not_found);
  auto terms = subscription_find(t, id);
  if (!terms) api_fail(errc::not_a_subscription);
  return {std::move(license), std::move(*terms)};
}

void require(const result<void>& allowed) {
  if (!allowed) api_fail(allowed.error());
}

api_response view_answer(const store::txn& t, const license_record& license, std::int64_t now, unsigned status = 200) {
  return answer(subscription_license_view(t, license, now), status);
}

int partner_discount(const store::txn& t, const std::string& partner_id) {
  return record_get<partner_record>(t, store::db::partners, partner_id, errc::partner_not_found).discount_percent;
}


std::string hex16(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

nlohmann::json ledger_view(const sub::ledger_entry& entry) {
  return {{"seq", entry.seq},
          {"license_id", entry.license_id},
          {"partner_id", entry.partner_id},
          {"at", rfc3339_format(entry.at)},
          {"type", entry.type},
          {"reason", entry.reason},
          {"amount", entry.amount},
          {"currency", entry.currency},
          {"tier", entry.tier},
          {"seats", entry.seats},
          {"period_start", rfc3339_format(entry.period_start)},
          {"period_end", rfc3339_format(entry.period_end)},
          {"discount_percent", entry.discount_percent}};
}

}  // namespace

void subscription_create(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"customer_id", "product", "tier", "term", "seats", "auto_renew", "trial",
                                     "trial_days", "base_license_id", "features", "partner_id"});
  license_record license;
  license.id = id_generate("lic_");
  license.partner_id = acting_partner(call, body);
  license.customer_id = body.string("customer_id");
  license.product = body.string("product");
  const bool trial = body.optional_bool("trial").value_or(false);
  const auto base_id = body.optional_string("base_license_id").value_or("");
  if (trial && !base_id.empty()) api_fail(errc::bad_request, "an add-on cannot be a trial");
  const auto term_text = body.optional_string("term").value_or("monthly");
  const auto term = sub::term_parse(term_text);
  if (!term) api_fail(errc::bad_request, "field 'term' must be monthly or annual");
  const auto trial_days = body.optional_integer("trial_days", 1, 365);
  if (trial_days && !trial) api_fail(errc::bad_request, "field 'trial_days' needs 'trial': true");
  license.kind = trial ? "trial" : "paid";
  license.seats = static_cast<std::uint32_t>(
      body.optional_integer("seats", 1, sub::seats_max).value_or(trial ? sub::trial_default_seats : 1));
  license.features = body.optional_strings("features").value_or(std::vector<std::string>{});
  const auto requested_tier = body.optional_string("tier");
  const bool auto_renew = body.optional_bool("auto_renew").value_or(true);
  license.activation_key = activation_key_generate();
  const auto signing = signing_of(svc);
  svc.commit(call, [&svc, signing, who = call.who, license, trial, base_id, term = *term, trial_days, requested_tier,
                    auto_renew](store::txn& write) mutable {
    const auto now = svc.now();
    const auto partner = record_get<partner_record>(write, store::db::partners, license.partner_id, errc::partner_not_found);
    require(license_issue_allowed(partner));
    const auto customer = record_get<customer_record>(write, store::db::customers, license.customer_id, errc::customer_not_found);
    if (customer.partner_id != license.partner_id) api_fail(errc::customer_not_found);
    const auto product = record_get<product_record>(write, store::db::products, license.product, errc::product_not_found);
    license.tier = requested_tier.value_or(product.tiers.front());
    if (std::find(product.tiers.begin(), product.tiers.end(), license.tier) == product.tiers.end())
      api_fail(errc::tier_not_found);
    if (auto refused = product_policy_refusal(product, license)) api_fail(errc::product_policy, *refused);
    const auto price = tier_price_of(product, license.tier);
    if (const auto it = product.min_version.find(license.kind); it != product.min_version.end())
      license.min_version = it->second;
    license.email = customer.email;
    license.issued_at = now;

    sub::subscription_record terms;
    terms.license_id = license.id;
    terms.term = std::string(sub::term_name(term));
    terms.auto_renew = auto_renew;
    terms.trial = trial;
    terms.currency = price.currency;
    terms.created_at = now;
    terms.term_start = now;
    std::int64_t unit = 0;
    std::string reason = "purchase";
    if (!base_id.empty()) {
      // An add-on: needs an active base subscription of the same customer; its end follows the base.
      auto base_license = record_get<license_record>(write, store::db::licenses, base_id, errc::license_not_found);
      if (base_license.partner_id != license.partner_id) api_fail(errc::license_not_found);
      auto base = subscription_find(write, base_id);
      if (!base || base_license.status != "active" || !base->base_license_id.empty())
        api_fail(errc::base_not_active);
      if (base_license.customer_id != license.customer_id)
        api_fail(errc::bad_request, "an add-on belongs to its base license's customer");
      terms.base_license_id = base_id;
      terms.term = base->term;
      terms.anchor_at = base->anchor_at;
      terms.period = base->period;
      terms.term_end = base->term_end;
      unit = sub::discount_apply(
          sub::seat_midterm_price(price, sub::term_parse(base->term).value_or(sub::term_kind::monthly), now, base->term_end),
          partner.discount_percent);
      reason = "add_on";
      base->addons.push_back(license.id);
      subscription_save(write, *base, base_license);
    } else if (trial) {
      terms.anchor_at = now;
      terms.term_end = now + trial_days.value_or(sub::trial_default_days) * sub::day_seconds;
    } else {
      const auto fresh = sub::term_fresh(term, now);
      terms.anchor_at = fresh.anchor_at;
      terms.period = fresh.period;
      terms.term_end = fresh.end;
      unit = sub::discount_apply(sub::seat_term_price(price, term), partner.discount_percent);
    }
    license.expires_at = terms.term_end;
    terms.lots = {sub::seat_lot{license.seats, now, unit, terms.term_end}};
    if (auto inserted = write.insert(store::db::activation_keys, *activation_key_canonical(license.activation_key), license.id);
        !inserted)
      api_fail(inserted.error() == errc::conflict ? errc::conflict : inserted.error());
    license_resign(write, license, signing, now);
    ledger_append(write, terms, license, reason, unit * license.seats, now, terms.term_end, partner.discount_percent, now);
    subscription_save(write, terms, license);
    store_check(write.put(store::db::partner_licenses, license.partner_id + "/" + license.id, ""));
    store_check(write.put(store::db::customer_licenses, license.customer_id + "/" + license.id, ""));
    svc.audit_append(write, who, "subscription.create", license.id,
                     {{"customer_id", license.customer_id}, {"product", license.product}, {"tier", license.tier},
                      {"term", terms.term}, {"seats", license.seats}, {"trial", trial}, {"auto_renew", terms.auto_renew},
                      {"base_license_id", base_id}});
    return view_answer(write, license, now, 201);
  }, std::move(respond));
}

void license_seats_set(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"seats"});
  const auto seats = body.optional_integer("seats", 1, sub::seats_max);
  if (!seats) api_fail(errc::bad_request, "field 'seats' is required");
  const auto signing = signing_of(svc);
  svc.commit(call, [&svc, signing, who = call.who, id = call.params[0], seats = static_cast<std::uint32_t>(*seats)](store::txn& write) {
    const auto now = svc.now();
    auto [license, terms] = subscription_for(write, who, id);
    require(sub::seat_change_allowed(terms, license.status));
    if (seats == license.seats) api_fail(errc::conflict, "the license already has this many seats");
    const auto discount = partner_discount(write, license.partner_id);
    const auto before = license.seats;
    if (seats > license.seats) {
      partner_issuing_or_fail(write, license.partner_id);
      const auto product = record_get<product_record>(write, store::db::products, license.product, errc::product_not_found);
      const auto price = tier_price_of(product, license.tier);
      const auto term = sub::term_parse(terms.term).value_or(sub::term_kind::monthly);
      const auto unit = sub::discount_apply(sub::seat_midterm_price(price, term, now, terms.term_end), discount);
      const auto added = seats - license.seats;
      terms.lots.push_back({added, now, unit, terms.term_end});
      license.seats = seats;
      ledger_append(write, terms, license, "seats_added", unit * added, now, terms.term_end, discount, now);
    } else {
      if (seats < sub::seats_needed(members_count(write, license.id))) api_fail(errc::seats_in_use);
      auto plan = sub::seat_decrease_plan(terms.lots, license.seats - seats, now);
      if (!plan) api_fail(plan.error());
      terms.lots = plan->lots;
      license.seats = seats;
      ledger_append(write, terms, license, "seat_decrease", -sub::seat_decrease_refund(plan->removed, now), now,
                    terms.term_end, discount, now);
    }
    terms.scheduled = {};  // changing seats removes a scheduled change
    license_resign(write, license, signing, now);
    subscription_save(write, terms, license);
    svc.audit_append(write, who, "subscription.seats", license.id, {{"from", before}, {"to", seats}});
    return view_answer(write, license, now);
  }, std::move(respond));
}

void member_add(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"email"});
  const auto email = email_normalise(body.string("email"));
  if (!email) api_fail(errc::invalid_email);
  svc.commit(call, [&svc, who = call.who, id = call.params[0], email = *email](store::txn& write) {
    const auto now = svc.now();
    auto [license, terms] = subscription_for(write, who, id);
    if (license.status != "active") api_fail(errc::subscription_not_active);
    partner_issuing_or_fail(write, license.partner_id);
    // The customer's own email already holds a seat (sub::owner_seats), like a member's.
    const bool present = email == license.email || member_exists(write, license.id, email);
    if (auto allowed = sub::member_add_allowed(present, members_count(write, license.id), license.seats); !allowed)
      api_fail(allowed.error(), email == license.email ? "the subscription's own email already holds a seat" : "");
    sub::member_record member;
    member.email = email;
    member.added_at = now;
    insert_or_fail(write, store::db::members, member_key(license.id, email), nlohmann::json(member).dump(), errc::member_exists);
    svc.audit_append(write, who, "subscription.member_add", license.id, {{"email", email}});
    return answer({{"license_id", license.id}, {"email", email}, {"added_at", rfc3339_format(now)},
                     {"members", members_count(write, license.id)}, {"seats", license.seats}}, 201);
  }, std::move(respond));
}

void member_remove(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"email"});
  auto typed = body.optional_string("email");
  if (!typed) {
    if (const auto it = call.query.find("email"); it != call.query.end()) typed = it->second;
  }
  if (!typed) api_fail(errc::bad_request, "give the member's 'email' in the body or the query");
  const auto email = email_normalise(*typed);
  if (!email) api_fail(errc::invalid_email);
  svc.commit(call, [&svc, who = call.who, id = call.params[0], email = *email](store::txn& write) {
    auto [license, terms] = subscription_for(write, who, id);
    auto stored = write.get(store::db::members, member_key(license.id, email));
    if (!stored) api_fail(stored.error());
    if (!*stored) api_fail(errc::member_not_found);
    member_erase(write, license.id, nlohmann::json::parse(**stored).get<sub::member_record>());
    svc.audit_append(write, who, "subscription.member_remove", license.id, {{"email", email}});
    return answer({{"license_id", license.id}, {"email", email}, {"removed", true},
                     {"members", members_count(write, license.id)}, {"seats", license.seats},
                     {"expires_at", rfc3339_format(license.expires_at)}});
  }, std::move(respond));
}

void member_list(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  const auto [license, terms] = subscription_for(snapshot, call.who, call.params[0]);
  auto items = nlohmann::json::array();
  for (const auto& member : members_of(snapshot, license.id))
    items.push_back({{"email", member.email}, {"added_at", rfc3339_format(member.added_at)}, {"activated", !member.token.empty()}});
  respond(answer({{"license_id", license.id}, {"seats", license.seats}, {"items", std::move(items)}}));
}

void license_upgrade(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"tier", "seats"});
  const auto tier = body.string("tier");
  const auto seats = body.optional_integer("seats", 1, sub::seats_max);
  const auto signing = signing_of(svc);
  std::string new_id = id_generate("lic_");
  std::string new_key = activation_key_generate();
  svc.commit(call, [&svc, signing, who = call.who, id = call.params[0], tier, seats, new_id, new_key](store::txn& write) {
    const auto now = svc.now();
    auto [license, terms] = subscription_for(write, who, id);
    if (license.status != "active" || now >= terms.term_end) api_fail(errc::subscription_not_active);
    partner_issuing_or_fail(write, license.partner_id);
    const auto product = record_get<product_record>(write, store::db::products, license.product, errc::product_not_found);
    require(sub::upgrade_tier_allowed(product.tiers, license.tier, tier));
    if (terms.trial) {  // a free upgrade: the trial stays within what the product lets trials grant
      auto upgraded = license;
      upgraded.tier = tier;
      if (auto refused = product_policy_refusal(product, upgraded)) api_fail(errc::product_policy, *refused);
    }
    const auto price_new = tier_price_of(product, tier);
    const auto price_old = tier_price_of(product, license.tier);
    const auto discount = partner_discount(write, license.partner_id);
    const auto term = sub::term_parse(terms.term).value_or(sub::term_kind::monthly);
    const auto months = std::min<std::int64_t>(sub::months_remaining_ceil(now, terms.term_end), sub::term_months(term));
    // Only the difference for the remaining months (rounded up) is charged; trials pay nothing.
    const auto diff = terms.trial ? 0
                                  : std::max<std::int64_t>(0, sub::discount_apply(sub::seat_months_price(price_new, term, months), discount) -
                                                                  sub::discount_apply(sub::seat_months_price(price_old, term, months), discount));
    const bool partial = seats && static_cast<std::uint32_t>(*seats) < license.seats;
    terms.scheduled = {};  // an upgrade mid-term removes a scheduled change
    if (!partial) {
      const auto from = license.tier;
      license.tier = tier;
      for (auto& lot : terms.lots) lot.unit_charge += diff;
      ledger_append(write, terms, license, "upgrade", diff * license.seats, now, terms.term_end, discount, now);
      license_resign(write, license, signing, now);
      subscription_save(write, terms, license);
      svc.audit_append(write, who, "subscription.upgrade", license.id, {{"from", from}, {"to", tier}, {"seats", license.seats}});
      return view_answer(write, license, now);
    }
    if (terms.trial) api_fail(errc::trial_locked, "a trial upgrades whole or converts");
    if (!terms.base_license_id.empty()) api_fail(errc::bad_request, "an add-on upgrades whole");
    const auto moved = static_cast<std::uint32_t>(*seats);
    if (license.seats - moved < sub::seats_needed(members_count(write, license.id))) api_fail(errc::seats_in_use);
    // The moved seats leave the newest lots first; they were paid for, so nothing is refunded.
    std::stable_sort(terms.lots.begin(), terms.lots.end(), [](const sub::seat_lot& a, const sub::seat_lot& b) { return a.added_at > b.added_at; });
    std::uint32_t left = moved;
    std::int64_t moved_paid = 0;
    for (auto& lot : terms.lots) {
      const auto taken = std::min(left, lot.count);
      lot.count -= taken;
      moved_paid += taken * lot.unit_charge;
      left -= taken;
    }
    terms.lots.erase(std::remove_if(terms.lots.begin(), terms.lots.end(), [](const sub::seat_lot& l) { return l.count == 0; }), terms.lots.end());
    terms.term_charged -= moved_paid;
    license.seats -= moved;
    license_resign(write, license, signing, now);
    subscription_save(write, terms, license);

    // The new license: the same customer and end date (coterminous), the higher tier.
    license_record upgraded = license;
    upgraded.id = new_id;
    upgraded.activation_key = new_key;
    upgraded.tier = tier;
    upgraded.seats = moved;
    upgraded.fingerprint.clear();
    upgraded.issued_at = now;
    sub::subscription_record split = terms;
    split.license_id = new_id;
    split.addons.clear();
    split.schedule_due = 0;
    split.ledger_seq = 0;
    split.term_charged = moved_paid;
    split.created_at = now;
    split.term_start = now;
    split.lots = {sub::seat_lot{moved, now, moved_paid / moved + diff, terms.term_end}};
    insert_or_fail(write, store::db::activation_keys, *activation_key_canonical(new_key), new_id, errc::conflict);
    license_resign(write, upgraded, signing, now);
    ledger_append(write, split, upgraded, "upgrade", diff * moved, now, split.term_end, discount, now);
    subscription_save(write, split, upgraded);
    store_check(write.put(store::db::partner_licenses, upgraded.partner_id + "/" + upgraded.id, ""));
    store_check(write.put(store::db::customer_licenses, upgraded.customer_id + "/" + upgraded.id, ""));
    svc.audit_append(write, who, "subscription.upgrade_partial", license.id,
                     {{"to", tier}, {"seats", moved}, {"new_license_id", new_id}});
    svc.audit_append(write, who, "subscription.create", new_id,
                     {{"from_license_id", license.id}, {"tier", tier}, {"seats", moved}});
    return answer({{"license", subscription_license_view(write, license, now)},
                     {"new_license", subscription_license_view(write, upgraded, now)}}, 201);
  }, std::move(respond));
}

void scheduled_change_set(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"tier", "seats", "term"});
  sub::scheduled_change change;
  change.tier = body.optional_string("tier").value_or("");
  change.seats = static_cast<std::uint32_t>(body.optional_integer("seats", 1, sub::seats_max).value_or(0));
  change.term = body.optional_string("term").value_or("");
  if (change.empty()) api_fail(errc::bad_request, "give at least one of 'tier', 'seats', 'term'");
  if (!change.term.empty() && !sub::term_parse(change.term)) api_fail(errc::bad_request, "field 'term' must be monthly or annual");
  svc.commit(call, [&svc, who = call.who, id = call.params[0], change](store::txn& write) mutable {
    const auto now = svc.now();
    auto [license, terms] = subscription_for(write, who, id);
    require(sub::scheduled_change_allowed(terms, license.status));
    partner_issuing_or_fail(write, license.partner_id);
    if (!terms.base_license_id.empty() && !change.term.empty())
      api_fail(errc::bad_request, "an add-on's term follows its base");
    if (!change.tier.empty()) {
      const auto product = record_get<product_record>(write, store::db::products, license.product, errc::product_not_found);
      if (std::find(product.tiers.begin(), product.tiers.end(), change.tier) == product.tiers.end()) api_fail(errc::tier_not_found);
      (void)tier_price_of(product, change.tier);
    }
    if (change.seats != 0 && change.seats < sub::seats_needed(members_count(write, license.id))) api_fail(errc::seats_in_use);
    change.requested_at = now;
    terms.scheduled = change;
    subscription_save(write, terms, license);
    svc.audit_append(write, who, "subscription.schedule_change", license.id, change);
    return view_answer(write, license, now);
  }, std::move(respond));
}

void scheduled_change_delete(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  svc.commit(call, [&svc, who = call.who, id = call.params[0]](store::txn& write) {
    const auto now = svc.now();
    auto [license, terms] = subscription_for(write, who, id);
    if (terms.scheduled.empty()) api_fail(errc::no_scheduled_change);
    const auto dropped = terms.scheduled;
    terms.scheduled = {};
    subscription_save(write, terms, license);
    svc.audit_append(write, who, "subscription.schedule_cancel", license.id, dropped);
    return view_answer(write, license, now);
  }, std::move(respond));
}

void auto_renew_set(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"on"});
  const auto on = body.optional_bool("on");
  if (!on) api_fail(errc::bad_request, "field 'on' is required");
  svc.commit(call, [&svc, who = call.who, id = call.params[0], on = *on](store::txn& write) {
    const auto now = svc.now();
    auto [license, terms] = subscription_for(write, who, id);
    if (license.status != "active") api_fail(errc::subscription_not_active);
    terms.auto_renew = on;
    if (!on) terms.scheduled = {};  // turning auto_renew off removes a scheduled change
    subscription_save(write, terms, license);
    svc.audit_append(write, who, "subscription.auto_renew", license.id, {{"on", on}});
    return view_answer(write, license, now);
  }, std::move(respond));
}

void subscription_cancel(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  const auto signing = signing_of(svc);
  svc.commit(call, [&svc, signing, who = call.who, id = call.params[0]](store::txn& write) {
    const auto now = svc.now();
    auto [license, terms] = subscription_for(write, who, id);
    if (license.status == "revoked") api_fail(errc::license_revoked);
    require(sub::cancel_allowed(terms, license.status, now));
    const auto discount = partner_discount(write, license.partner_id);
    const auto refund = sub::refund_prorated(terms.term_charged, terms.term_start, terms.term_end, now);
    // The tokens stop where the refund starts: none outlives what was paid for.
    license.expires_at = sub::cancel_end(terms.term_start, terms.term_end, terms.term_charged, now);
    ledger_append(write, terms, license, "cancellation", -refund, now, terms.term_end, discount, now);
    license.status = "cancelled";
    terms.auto_renew = false;
    terms.scheduled = {};
    for (const auto& addon : terms.addons) addon_end(svc, write, addon, "cancelled", signing, now, who);
    license_resign(write, license, signing, now);
    subscription_save(write, terms, license);
    svc.audit_append(write, who, "subscription.cancel", license.id, {{"refund", refund}, {"currency", terms.currency}});
    return view_answer(write, license, now);
  }, std::move(respond));
}

void subscription_reactivate(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  const auto signing = signing_of(svc);
  svc.commit(call, [&svc, signing, who = call.who, id = call.params[0]](store::txn& write) {
    (void)subscription_for(write, who, id);
    return *subscription_status_change(svc, write, who, id, "reinstate", signing);
  }, std::move(respond));
}

void trial_convert(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"into_license_id", "term", "seats", "tier"});
  const auto into = body.optional_string("into_license_id");
  const auto term_text = body.optional_string("term");
  if (term_text && !sub::term_parse(*term_text)) api_fail(errc::bad_request, "field 'term' must be monthly or annual");
  const auto seats = body.optional_integer("seats", 1, sub::seats_max);
  const auto tier = body.optional_string("tier");
  if (into && (term_text || seats || tier))
    api_fail(errc::bad_request, "converting into an existing subscription takes only 'into_license_id'");
  const auto signing = signing_of(svc);
  svc.commit(call, [&svc, signing, who = call.who, id = call.params[0], into, term_text, seats, tier](store::txn& write) {
    const auto now = svc.now();
    auto [license, terms] = subscription_for(write, who, id);
    if (!terms.trial) api_fail(errc::conversion_not_allowed, "only a trial converts");
    if (license.status != "active" || now >= terms.term_end) api_fail(errc::subscription_not_active);
    partner_issuing_or_fail(write, license.partner_id);
    if (into) {
      auto [target, target_terms] = subscription_for(write, who, *into);
      require(sub::trial_conversion_target_ok(terms, license, target_terms, target));
      // The trial's members move into the subscription, within its seats.
      const auto moving = members_of(write, license.id);
      // (Named copies: clang before 16 does not let a lambda capture a structured binding.)
      const auto& target_email = target.email;
      const auto& target_id = target.id;
      const auto joining = static_cast<std::uint32_t>(std::count_if(moving.begin(), moving.end(), [&](const sub::member_record& m) {
        return m.email != target_email && !member_exists(write, target_id, m.email);
      }));
      if (sub::seats_needed(members_count(write, target.id) + joining) > target.seats) api_fail(errc::seats_exhausted);
      for (const auto& member : moving) {
        if (member.email == target.email) {
          member_erase(write, license.id, member);
          continue;
        }
        member_erase(write, license.id, member);
        sub::member_record moved;
        moved.email = member.email;
        moved.added_at = now;
        if (auto inserted = write.insert(store::db::members, member_key(target.id, member.email), nlohmann::json(moved).dump()); !inserted)
          if (inserted.error() != errc::conflict) api_fail(inserted.error());
      }
      license.status = "cancelled";
      license.expires_at = sub::cancel_end(terms.term_start, terms.term_end, terms.term_charged, now);  // a trial: now
      terms.auto_renew = false;
      terms.scheduled = {};
      terms.converted_into = target.id;
      // The trial is cancelled: its add-ons end with it, as with any cancelled base.
      for (const auto& addon : terms.addons) addon_end(svc, write, addon, "cancelled", signing, now, who);
      license_resign(write, license, signing, now);
      subscription_save(write, terms, license);
      svc.audit_append(write, who, "subscription.trial_convert", license.id, {{"into_license_id", target.id}});
      return answer({{"license", subscription_license_view(write, license, now)},
                       {"into", subscription_license_view(write, target, now)}});
    }
    const auto product = record_get<product_record>(write, store::db::products, license.product, errc::product_not_found);
    if (tier) {
      if (std::find(product.tiers.begin(), product.tiers.end(), *tier) == product.tiers.end()) api_fail(errc::tier_not_found);
      license.tier = *tier;
    }
    (void)tier_price_of(product, license.tier);
    if (seats) {
      require(sub::conversion_seats_allowed(license.seats, static_cast<std::uint32_t>(*seats), members_count(write, license.id)));
      license.seats = static_cast<std::uint32_t>(*seats);
    }
    const auto term = term_text ? *sub::term_parse(*term_text) : sub::term_parse(terms.term).value_or(sub::term_kind::monthly);
    const auto fresh = sub::term_fresh(term, now);
    terms.trial = false;
    terms.scheduled = {};  // converting a trial removes a scheduled change
    terms.term = fresh.term;
    terms.anchor_at = fresh.anchor_at;
    terms.period = fresh.period;
    terms.term_start = fresh.start;
    terms.term_end = fresh.end;
    license.kind = "paid";
    license.expires_at = fresh.end;
    if (const auto it = product.min_version.find("paid"); it != product.min_version.end()) license.min_version = it->second;
    else license.min_version.clear();
    subscription_term_charge(write, terms, license, "conversion", now);
    license_resign(write, license, signing, now);
    subscription_save(write, terms, license);
    for (const auto& addon : terms.addons) addon_follow(svc, write, addon, terms, signing, now, "conversion", true, true);
    svc.audit_append(write, who, "subscription.trial_convert", license.id,
                     {{"term", terms.term}, {"seats", license.seats}, {"tier", license.tier}});
    return view_answer(write, license, now);
  }, std::move(respond));
}

void license_ledger_list(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  const auto license = record_get<license_record>(snapshot, store::db::licenses, call.params[0], errc::license_not_found);
  visible_or_fail(call, license.partner_id, errc::license_not_found);
  respond(page_scan(snapshot, store::db::ledger, license.id + "/", page_of(call), [](std::string_view, std::string_view value) {
    return ledger_view(nlohmann::json::parse(value).get<sub::ledger_entry>());
  }));
}

void ledger_list(service& svc, api_call& call, responder respond) {
  const auto partner_id = listing_partner(call);
  if (partner_id.empty()) api_fail(errc::bad_request, "query 'partner_id' is required for operators");
  std::int64_t from = 0;
  std::int64_t to = 0;
  for (const auto& [name, target] : {std::pair<const char*, std::int64_t*>{"from", &from}, {"to", &to}}) {
    if (const auto it = call.query.find(name); it != call.query.end()) {
      auto parsed = rfc3339_parse(it->second);
      if (!parsed) api_fail(errc::bad_request, std::string("query '") + name + "' must be an RFC 3339 time");
      *target = *parsed;
    }
  }
  auto page = page_of(call);
  const std::string prefix = partner_id + "/";
  const auto snapshot = svc.read();
  // Entries are keyed partner/at/license/seq: a period is one key range.
  if (page.after.empty() && from > 0) page.after = hex16(static_cast<std::uint64_t>(from - 1)) + "~";
  const auto end = to > 0 ? hex16(static_cast<std::uint64_t>(to)) : std::string();
  auto items = nlohmann::json::array();
  std::string last;
  bool more = false;
  store_check(snapshot.scan(store::db::partner_ledger, prefix, page.after.empty() ? "" : prefix + page.after, page.limit + 1,
                            [&](std::string_view key, std::string_view) {
    const auto rest = key.substr(prefix.size());
    if (!end.empty() && rest.substr(0, 16) >= end) return false;
    if (items.size() == page.limit) {
      more = true;
      return false;
    }
    last = std::string(rest);
    auto entry = snapshot.get(store::db::ledger, rest.substr(17));
    if (!entry) api_fail(entry.error());
    if (*entry) items.push_back(ledger_view(nlohmann::json::parse(**entry).get<sub::ledger_entry>()));
    return true;
  }));
  respond(answer({{"partner_id", partner_id}, {"items", std::move(items)}, {"next", more ? nlohmann::json(last) : nlohmann::json()}}));
}

void license_delivery_get(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  const auto license = record_get<license_record>(snapshot, store::db::licenses, call.params[0], errc::license_not_found);
  visible_or_fail(call, license.partner_id, errc::license_not_found);
  // The text carries the token: only while the license is in force (not cancelled or expired).
  if (auto allowed = license_token_handout_allowed(license); !allowed) api_fail(allowed.error());
  const auto product = record_get<product_record>(snapshot, store::db::products, license.product, errc::product_not_found);
  const auto expires = license.expires_at == 0 ? std::string("does not expire") : "is valid until " + rfc3339_format(license.expires_at);
  std::string text;
  text += "Your " + product.name + " license (" + license.tier + ", " + std::to_string(license.seats) + " seat" +
          (license.seats == 1 ? "" : "s") + ") " + expires + ".\n\n";
  text += "Activation key: " + license.activation_key + "\n";
  text += "Registered email: " + license.email + "\n\n";
  text += "Installation\n";
  text += "1. Download and install " + product.name + " from your vendor's download page.\n";
  text += "2. Start it and open Help > Activate license.\n\n";
  text += "Activation\n";
  text += "3. Enter the activation key above and the registered email, then choose Activate. The app exchanges\n"
          "   them online for your signed license and works offline from then on.\n";
  text += "4. Offline machines: paste the license token below into Help > Activate license > Offline.\n";
  text += "5. Team members you were given a seat as: activate with the same key and your own email.\n\n";
  text += "License token:\n" + license.token + "\n";
  respond(answer({{"license_id", license.id},
                   {"activation_key", license.activation_key},
                   {"email", license.email},
                   {"token", license.token},
                   {"expires_at", license.expires_at == 0 ? nlohmann::json() : nlohmann::json(rfc3339_format(license.expires_at))},
                   {"subject", "Your " + product.name + " license"},
                   {"instructions", text}}));
}

}  // namespace licensor::server
