#include "api/subscription_ops.hpp"

#include <algorithm>
#include <cstdio>

#include "api/license_signing.hpp"
#include "api/views.hpp"
#include "licensor/rfc3339.hpp"
#include "store/schema.hpp"
#include "subscription/charges.hpp"
#include "subscription/rules.hpp"

namespace licensor::server {
namespace sub = subscription;
namespace {

std::string hex16(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

std::string schedule_key(std::int64_t due, std::string_view license_id) {
  return hex16(static_cast<std::uint64_t>(due < 0 ? 0 : due)) + "/" + std::string(license_id);
}

nlohmann::json time_or_null(std::int64_t t) { return t == 0 ? nlohmann::json() : nlohmann::json(rfc3339_format(t)); }

const caller scheduler_caller{caller_kind::operator_, "", "scheduler"};

// A license that may be gone (deleted by its partner): records that point at it must not fail.
std::optional<license_record> license_lookup(const store::txn& t, std::string_view id) {
  auto value = t.get(store::db::licenses, id);
  if (!value) api_fail(value.error());
  if (!*value) return std::nullopt;
  return nlohmann::json::parse(**value).get<license_record>();
}

// The partner may issue (can_issue); a partner that is gone may not.
bool partner_issuing(const store::txn& t, const std::string& partner_id) {
  auto value = t.get(store::db::partners, partner_id);
  if (!value) api_fail(value.error());
  return *value && license_issue_allowed(nlohmann::json::parse(**value).get<partner_record>()).ok();
}

}  // namespace

void partner_issuing_or_fail(const store::txn& t, const std::string& partner_id) {
  if (!partner_issuing(t, partner_id))
    api_fail(errc::partner_not_enabled, "the partner may not issue licenses or widen them (can_issue is off)");
}

// Ends an add-on with its base: `status` is expired or cancelled.
void addon_end(service& svc, store::txn& write, const std::string& addon_id, const std::string& status,
               const signing_context& signing, std::int64_t now, const caller& who) {
  auto addon_sub = subscription_find(write, addon_id);
  auto found = license_lookup(write, addon_id);
  if (!addon_sub || !found) return;
  auto& addon = *found;
  if (addon.status != "active" && addon.status != "suspended") return;
  if (status == "cancelled") {
    int discount = 0;
    if (auto partner = write.get(store::db::partners, addon.partner_id); partner && *partner)
      discount = nlohmann::json::parse(**partner).value("discount_percent", 0);
    const auto refund = sub::refund_prorated(addon_sub->term_charged, addon_sub->term_start, addon_sub->term_end, now);
    addon.expires_at = sub::cancel_end(addon_sub->term_start, addon_sub->term_end, addon_sub->term_charged, now);
    ledger_append(write, *addon_sub, addon, "cancellation", -refund, now, addon_sub->term_end, discount, now);
  }
  addon.status = status;
  addon_sub->auto_renew = false;
  addon_sub->scheduled = {};
  addon_sub->suspended_by_base = false;
  license_resign(write, addon, signing, now);
  subscription_save(write, *addon_sub, addon);
  svc.audit_append(write, who, "subscription.addon_" + std::string(status == "cancelled" ? "cancel" : "expire"),
                   addon.id, {{"base_license_id", addon_sub->base_license_id}});
}

void subscription_term_charge(store::txn& write, sub::subscription_record& s, license_record& license, std::string_view reason,
                 std::int64_t now) {
  const auto product = record_get<product_record>(write, store::db::products, license.product, errc::product_not_found);
  const auto partner = record_get<partner_record>(write, store::db::partners, license.partner_id, errc::partner_not_found);
  tier_price price;
  if (const auto it = product.prices.find(license.tier); it != product.prices.end()) price = it->second;
  const auto term = sub::term_parse(s.term).value_or(sub::term_kind::monthly);
  const auto unit = sub::discount_apply(sub::seat_term_price(price, term), partner.discount_percent);
  if (!price.currency.empty()) s.currency = price.currency;
  s.term_charged = 0;
  s.lots = {sub::seat_lot{license.seats, s.term_start, unit, s.term_end}};
  ledger_append(write, s, license, reason, unit * license.seats, s.term_start, s.term_end, partner.discount_percent, now);
}

namespace {

// Applies every due term end of the license queued under schedule key `key`. Returns true when
// something changed. Add-ons that are gone (deleted) are dropped from the base's list, so a
// partner's own records can make this fail for nobody else.
bool license_due_apply(service& svc, store::txn& write, const std::string& key, const signing_context& signing,
                       std::int64_t now) {
  const auto license_id = key.substr(17);
  auto s = subscription_find(write, license_id);
  auto found = license_lookup(write, license_id);
  if (!s || !found) {  // the license or its terms are gone: drop what is left and the queue entry
    if (s) store_check(write.erase(store::db::subscriptions, license_id));
    store_check(write.erase(store::db::schedule, key));
    return false;
  }
  auto& license = *found;
  const auto addons_before = s->addons.size();
  std::erase_if(s->addons, [&](const std::string& id) { return !license_lookup(write, id) || !subscription_find(write, id); });
  bool changed = s->addons.size() != addons_before;
  // A partner that may no longer issue keeps renewing what it sold, as it was: no scheduled
  // widening, no trial becoming paid (see docs/subscriptions.md, hardening decisions).
  const bool issuing = partner_issuing(write, license.partner_id);
  std::uint32_t renewals = 0;
  for (;;) {
    const auto action = sub::term_end_due(*s, license.status, now, issuing);
    if (action == sub::term_end_action::none) break;
    changed = true;
    if (action == sub::term_end_action::expire) {
      license.status = "expired";
      s->auto_renew = false;
      s->scheduled = {};
      for (const auto& addon : s->addons) addon_end(svc, write, addon, "expired", signing, now, scheduler_caller);
      svc.audit_append(write, scheduler_caller, "subscription.expire", license.id,
                       {{"term_end", rfc3339_format(s->term_end)}});
      break;
    }
    const bool converting = action == sub::term_end_action::convert;
    if (!issuing) s->scheduled = {};
    const auto next = converting ? sub::term_fresh(sub::term_parse(s->term).value_or(sub::term_kind::monthly), s->term_end)
                                 : sub::term_next(*s);
    // Scheduled changes take effect now; seats never go below the owner and the members.
    if (!s->scheduled.tier.empty()) license.tier = s->scheduled.tier;
    if (s->scheduled.seats != 0)
      license.seats = std::max(s->scheduled.seats, sub::seats_needed(members_count(write, license.id)));
    const auto applied = s->scheduled;
    s->scheduled = {};
    if (converting) {
      s->trial = false;
      license.kind = "paid";
    }
    s->term = next.term;
    s->anchor_at = next.anchor_at;
    s->period = next.period;
    s->term_start = next.start;
    s->term_end = next.end;
    license.expires_at = next.end;
    subscription_term_charge(write, *s, license, converting ? "conversion" : "renewal", now);
    ++renewals;
    nlohmann::json details{{"term_start", rfc3339_format(next.start)}, {"term_end", rfc3339_format(next.end)},
                           {"tier", license.tier}, {"seats", license.seats}};
    if (!applied.empty()) details["scheduled_change"] = applied;
    svc.audit_append(write, scheduler_caller, converting ? "subscription.trial_convert" : "subscription.renew",
                     license.id, std::move(details));
    for (const auto& addon : s->addons) addon_follow(svc, write, addon, *s, signing, now, "renewal", false, issuing);
    if (renewals > 100'000) api_fail(errc::internal, "runaway renewal loop");
  }
  if (changed) {
    license_resign(write, license, signing, now);
    subscription_save(write, *s, license);
  } else if (s->schedule_due != 0 && s->schedule_due <= now) {
    subscription_save(write, *s, license);  // a stale queue entry: requeue or drop it
    changed = true;
  }
  // Nothing to do for a key that is still queued (not the one the record points at): stale.
  if (auto still = write.get(store::db::schedule, key); still && *still &&
      key != schedule_key(s->schedule_due, license_id))
    store_check(write.erase(store::db::schedule, key));
  return changed;
}

}  // namespace

void addon_follow(service& svc, store::txn& write, const std::string& addon_id, const sub::subscription_record& base,
                  const signing_context& signing, std::int64_t now, std::string_view reason, bool refund_unused,
                  bool changes_allowed) {
  auto addon_sub = subscription_find(write, addon_id);
  auto found = license_lookup(write, addon_id);
  if (!addon_sub || !found) return;
  auto& addon = *found;
  if (addon.status != "active" && addon.status != "suspended") return;
  if (addon.status == "suspended" || !addon_sub->auto_renew) {
    addon_end(svc, write, addon_id, "expired", signing, now, scheduler_caller);
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
    const auto partner = record_get<partner_record>(write, store::db::partners, addon.partner_id, errc::partner_not_found);
    const auto refund = sub::refund_prorated(addon_sub->term_charged, addon_sub->term_start, addon_sub->term_end, now);
    ledger_append(write, *addon_sub, addon, reason, -refund, now, addon_sub->term_end, partner.discount_percent, now);
  }
  addon_sub->term = base.term;
  addon_sub->anchor_at = base.anchor_at;
  addon_sub->period = base.period;
  addon_sub->term_start = base.term_start;
  addon_sub->term_end = base.term_end;
  addon.expires_at = base.term_end;
  subscription_term_charge(write, *addon_sub, addon, reason, now);
  license_resign(write, addon, signing, now);
  subscription_save(write, *addon_sub, addon);
  svc.audit_append(write, scheduler_caller, "subscription.addon_" + std::string(reason), addon.id,
                   {{"base_license_id", base.license_id}, {"term_end", rfc3339_format(base.term_end)}});
}

signing_context signing_of(service& svc) { return {svc.signer(), svc.config().issuer}; }

std::optional<sub::subscription_record> subscription_find(const store::txn& t, std::string_view license_id) {
  auto value = t.get(store::db::subscriptions, license_id);
  if (!value) api_fail(value.error());
  if (!*value) return std::nullopt;
  return nlohmann::json::parse(**value).get<sub::subscription_record>();
}

void subscription_save(store::txn& write, sub::subscription_record& s, const license_record& license) {
  const bool queued = (license.status == "active" || license.status == "suspended") && s.base_license_id.empty();
  const std::int64_t due = queued ? s.term_end : 0;
  if (due != s.schedule_due) {
    if (s.schedule_due != 0) store_check(write.erase(store::db::schedule, schedule_key(s.schedule_due, s.license_id)));
    if (due != 0) store_check(write.put(store::db::schedule, schedule_key(due, s.license_id), ""));
    s.schedule_due = due;
  }
  record_put(write, store::db::subscriptions, s.license_id, s);
}

void license_resign(store::txn& write, license_record& license, const signing_context& signing, std::int64_t now) {
  license.updated_at = now;
  license_sign(license, *signing.signer, signing.issuer);
  license_save(write, license);
}

void ledger_append(store::txn& write, sub::subscription_record& s, const license_record& license,
                   std::string_view reason, std::int64_t amount, std::int64_t period_start, std::int64_t period_end,
                   int discount_percent, std::int64_t now) {
  if (amount == 0) return;
  sub::ledger_entry entry;
  entry.seq = ++s.ledger_seq;
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
  entry.discount_percent = discount_percent;
  s.term_charged += amount;
  const auto key = license.id + "/" + hex16(entry.seq);
  store_check(write.insert(store::db::ledger, key, nlohmann::json(entry).dump()));
  store_check(write.put(store::db::partner_ledger,
                        license.partner_id + "/" + hex16(static_cast<std::uint64_t>(now)) + "/" + key, ""));
}

tier_price tier_price_of(const product_record& product, std::string_view tier) {
  const auto it = product.prices.find(std::string(tier));
  if (it == product.prices.end() || it->second.currency.empty())
    api_fail(errc::price_not_found, "product '" + product.id + "' has no price for tier '" + std::string(tier) + "'");
  return it->second;
}

std::uint32_t members_count(const store::txn& t, std::string_view license_id) {
  std::uint32_t count = 0;
  store_check(t.scan(store::db::members, std::string(license_id) + "/", "", 1'000'000,
                     [&](std::string_view, std::string_view) {
                       ++count;
                       return true;
                     }));
  return count;
}

nlohmann::json subscription_license_view(const store::txn& t, const license_record& license, std::int64_t now) {
  auto view = license_view(license);
  subscription_view_attach(t, view, now);
  return view;
}

void subscription_view_attach(const store::txn& t, nlohmann::json& view, std::int64_t now) {
  if (!view.contains("id") || !view["id"].is_string()) return;
  const auto license_id = view["id"].get<std::string>();
  const auto s = subscription_find(t, license_id);
  if (!s) return;
  const auto status = view.value("status", "");
  const bool live = status == "active" || status == "suspended";
  auto windows = nlohmann::json::array();
  std::uint32_t reducible = 0;
  if (live && !s->trial) {
    for (const auto& window : sub::seat_windows_open(s->lots, now)) {
      windows.push_back({{"seats", window.seats}, {"until", rfc3339_format(window.until)}});
      reducible += window.seats;
    }
  }
  const auto seats = view.value("seats", 1u);
  if (reducible >= seats) reducible = seats - 1;  // a license keeps at least one seat
  const bool cancel_open = live && !s->trial && sub::change_window_open(s->term_start, now);
  nlohmann::json out{{"term", s->term},
                     {"term_start", rfc3339_format(s->term_start)},
                     {"term_end", rfc3339_format(s->term_end)},
                     {"auto_renew", s->auto_renew},
                     {"trial", s->trial},
                     {"base_license_id", s->base_license_id.empty() ? nlohmann::json() : nlohmann::json(s->base_license_id)},
                     {"addons", s->addons},
                     {"currency", s->currency},
                     {"term_charged", s->term_charged},
                     {"members", members_count(t, license_id)},
                     {"seat_decrease", {{"seats_reducible_now", reducible},
                                        {"until", windows.empty() ? nlohmann::json() : windows.front()["until"]},
                                        {"windows", windows}}},
                     {"cancel", {{"allowed_now", cancel_open},
                                 {"until", rfc3339_format(sub::change_window_close(s->term_start))}}},
                     {"scheduled_change", s->scheduled.empty() ? nlohmann::json()
                                                               : nlohmann::json{{"tier", s->scheduled.tier.empty() ? nlohmann::json() : nlohmann::json(s->scheduled.tier)},
                                                                                {"seats", s->scheduled.seats == 0 ? nlohmann::json() : nlohmann::json(s->scheduled.seats)},
                                                                                {"term", s->scheduled.term.empty() ? nlohmann::json() : nlohmann::json(s->scheduled.term)},
                                                                                {"effective_at", rfc3339_format(s->term_end)}}}};
  if (!s->converted_into.empty()) out["converted_into"] = s->converted_into;
  view["subscription"] = std::move(out);
}

std::vector<std::string> subscription_due_list(const store::txn& t, std::int64_t now) {
  std::vector<std::string> due;
  const auto horizon = hex16(static_cast<std::uint64_t>(now < 0 ? 0 : now));
  store_check(t.scan(store::db::schedule, "", "", 100'000, [&](std::string_view key, std::string_view) {
    if (key.substr(0, 16) > horizon) return false;
    due.emplace_back(key);
    return true;
  }));
  return due;
}

bool subscription_due_apply(service& svc, store::txn& write, const std::string& key, const signing_context& signing,
                            std::int64_t now) {
  if (key.size() <= 17) {  // not a key this code writes: drop it rather than fail on it
    store_check(write.erase(store::db::schedule, key));
    return false;
  }
  return license_due_apply(svc, write, key, signing, now);
}

std::optional<api_response> subscription_status_change(service& svc, store::txn& write, const caller& who,
                                                        const std::string& id, const std::string& action,
                                                        const signing_context& signing) {
  auto s = subscription_find(write, id);
  if (!s) return std::nullopt;
  auto license = record_get<license_record>(write, store::db::licenses, id, errc::license_not_found);
  if (who.kind == caller_kind::partner && license.partner_id != who.partner_id) api_fail(errc::license_not_found);
  const auto now = svc.now();
  if (license.status == "revoked") api_fail(errc::license_revoked);
  if (action == "suspend") {
    if (auto allowed = sub::suspend_allowed(*s, license.status); !allowed) api_fail(allowed.error());
    license.status = "suspended";
    s->auto_renew = false;  // suspension turns auto_renew off, which drops a scheduled change
    s->scheduled = {};
    for (const auto& addon_id : s->addons) {
      auto addon_sub = subscription_find(write, addon_id);
      auto found = license_lookup(write, addon_id);
      if (!addon_sub || !found || found->status != "active") continue;
      auto& addon = *found;
      addon.status = "suspended";
      addon_sub->suspended_by_base = true;
      license_resign(write, addon, signing, now);
      subscription_save(write, *addon_sub, addon);
      svc.audit_append(write, who, "subscription.addon_suspend", addon.id, {{"base_license_id", id}});
    }
  } else if (action == "reinstate") {
    if (auto allowed = sub::reactivate_allowed(*s, license.status, now); !allowed) api_fail(allowed.error());
    if (!s->base_license_id.empty()) {
      const auto base = license_lookup(write, s->base_license_id);
      if (!base) api_fail(errc::base_not_active, "the add-on's base license was deleted");
      if (base->status != "active") api_fail(errc::base_not_active);
    }
    license.status = "active";
    s->suspended_by_base = false;
    for (const auto& addon_id : s->addons) {
      auto addon_sub = subscription_find(write, addon_id);
      auto found = license_lookup(write, addon_id);
      if (!addon_sub || !found || found->status != "suspended" || !addon_sub->suspended_by_base) continue;
      auto& addon = *found;
      addon.status = "active";
      addon_sub->suspended_by_base = false;
      license_resign(write, addon, signing, now);
      subscription_save(write, *addon_sub, addon);
      svc.audit_append(write, who, "subscription.addon_reactivate", addon.id, {{"base_license_id", id}});
    }
  } else if (action == "revoke") {
    license.status = "revoked";
    s->auto_renew = false;
    s->scheduled = {};
    // Add-ons need a base: they end with it (a revocation refunds nothing).
    for (const auto& addon_id : s->addons) addon_end(svc, write, addon_id, "expired", signing, now, who);
  } else {
    api_fail(errc::bad_request);
  }
  license_resign(write, license, signing, now);
  subscription_save(write, *s, license);
  svc.audit_append(write, who, "license." + action, license.id, {{"subscription", true}});
  return answer(subscription_license_view(write, license, now));
}

api_response member_activate(service& svc, store::txn& write, license_record& license, const std::string& email,
                             const signing_context& signing, std::int64_t /*now*/) {
  auto stored = write.get(store::db::members, member_key(license.id, email));
  if (!stored) api_fail(stored.error());
  if (!*stored) api_fail(errc::activation_failed);
  auto member = nlohmann::json::parse(**stored).get<sub::member_record>();
  if (auto allowed = license_token_handout_allowed(license); !allowed) api_fail(allowed.error());
  // A member's first token is a new working token: minting it needs a partner that may issue.
  if (member.token.empty()) partner_issuing_or_fail(write, license.partner_id);
  if (member.token.empty() || member.token_at != license.updated_at || member.kid != signing.signer->active_kid.value) {
    // A member's token is the license's, bound to the member's email, and indexed like it.
    auto bound = license;
    bound.email = email;
    bound.fingerprint.clear();
    license_sign(bound, *signing.signer, signing.issuer);
    member.token = bound.token;
    member.kid = bound.kid;
    member.token_at = license.updated_at;
    member.token_hashes.push_back(hash_hex(member.token));
    store_check(write.put(store::db::token_hashes, member.token_hashes.back(), token_index_entry(license.id, member.kid, email)));
    record_put(write, store::db::members, member_key(license.id, email), member);
    svc.audit_append(write, caller{caller_kind::anonymous, "", "member:" + email}, "license.member_activate",
                     license.id, nlohmann::json::object());
  }
  return answer({{"license_id", license.id},
                   {"token", member.token},
                   {"keyring", signing.signer->keyring_token},
                   {"member", true},
                   {"expires_at", time_or_null(license.expires_at)}});
}

void member_erase(store::txn& write, const std::string& license_id, const sub::member_record& member) {
  for (const auto& hash : member.token_hashes)
    store_check(write.put(store::db::token_hashes, hash, token_index_entry("removed:" + license_id, member.kid, member.email)));
  store_check(write.erase(store::db::members, member_key(license_id, member.email)));
}

std::vector<sub::member_record> members_of(const store::txn& t, const std::string& license_id) {
  std::vector<sub::member_record> out;
  store_check(t.scan(store::db::members, license_id + "/", "", 1'000'000, [&](std::string_view, std::string_view value) {
    out.push_back(nlohmann::json::parse(value).get<sub::member_record>());
    return true;
  }));
  return out;
}

void subscription_unwind(service& svc, store::txn& write, const license_record& license, const signing_context& signing,
                         const caller& who) {
  auto s = subscription_find(write, license.id);
  if (!s) return;
  if (!s->base_license_id.empty()) {
    auto base = subscription_find(write, s->base_license_id);
    if (const auto base_license = license_lookup(write, s->base_license_id); base && base_license) {
      std::erase(base->addons, license.id);
      subscription_save(write, *base, *base_license);
    }
  }
  // Add-ons need a base: they end with it, as on revocation (nothing is refunded).
  for (const auto& addon : s->addons) addon_end(svc, write, addon, "expired", signing, svc.now(), who);
  for (const auto& member : members_of(write, license.id)) member_erase(write, license.id, member);
  if (s->schedule_due != 0) store_check(write.erase(store::db::schedule, schedule_key(s->schedule_due, license.id)));
  store_check(write.erase(store::db::subscriptions, license.id));
}

std::string member_key(std::string_view license_id, std::string_view email) {
  std::string key(license_id);
  key += '/';
  key += email;
  return key;
}

bool member_exists(const store::txn& t, std::string_view license_id, std::string_view email) {
  auto stored = t.get(store::db::members, member_key(license_id, email));
  if (!stored) api_fail(stored.error());
  return stored->has_value();
}

}  // namespace licensor::server
