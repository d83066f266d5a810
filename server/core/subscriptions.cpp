#include "core/subscriptions.hpp"

#include <algorithm>

#include "core/audit.hpp"
#include "core/events.hpp"
#include "core/license_reach.hpp"
#include "core/partners.hpp"
#include "core/subscription_records.hpp"
#include "domain/rules.hpp"
#include "domain/secret_hash.hpp"
#include "licensor/rfc3339.hpp"
#include "subscription/rules.hpp"

namespace licensor::server {
namespace sub = subscription;
namespace {

constexpr std::size_t due_per_pass = 100'000;

// Suspends (or, with `reactivate`, reactivates) the base's add-ons that follow its status.
void addons_status_follow(store::write_view& write, const caller& who, const sub::subscription_record& base,
                          bool reactivate, const signing& with, std::int64_t now) {
  for (const auto& addon_id : base.addons) {
    auto addon_sub = subscription_find(write, addon_id);
    auto addon_found = license_lookup(write, addon_id);
    if (!addon_sub || !addon_found) continue;
    auto& addon = *addon_found;
    if (reactivate ? (addon.status != license_status::suspended || !addon_sub->suspended_by_base) : addon.status != license_status::active) continue;
    addon.status = reactivate ? license_status::active : license_status::suspended;
    addon_sub->suspended_by_base = !reactivate;
    license_resign(write, addon, with, now);
    subscription_save(write, *addon_sub, addon);
    audit_append(write, who, reactivate ? "subscription.addon_reactivate" : "subscription.addon_suspend", addon.id, now,
                 {{"base_license_id", base.license_id}});
  }
}

}  // namespace

std::optional<license_record> subscription_status_change(store::write_view& write, const caller& who,
                                                         const std::string& id, const std::string& action,
                                                         const signing& with, std::int64_t now) {
  auto s = subscription_find(write, id);
  if (!s) return std::nullopt;
  auto license = found(write.license_get(id), errc::license_not_found);
  license_reach_or_refuse(write, who, license);
  if (license.status == license_status::revoked) refuse(errc::license_revoked);
  if (action == "suspend") {
    if (auto allowed = sub::suspend_allowed(*s, license.status); !allowed) refuse(allowed.error());
    license.status = license_status::suspended;
    s->auto_renew = false;  // suspension turns auto_renew off, which drops a scheduled change
    s->scheduled = {};
    addons_status_follow(write, who, *s, /*reactivate=*/false, with, now);
  } else if (action == "reinstate") {
    if (auto allowed = sub::reactivate_allowed(*s, license.status, now); !allowed) refuse(allowed.error());
    if (!s->base_license_id.empty()) {
      const auto base = license_lookup(write, s->base_license_id);
      if (!base) refuse(errc::base_not_active, "the add-on's base license was deleted");
      if (base->status != license_status::active) refuse(errc::base_not_active);
    }
    license.status = license_status::active;
    s->suspended_by_base = false;
    addons_status_follow(write, who, *s, /*reactivate=*/true, with, now);
  } else if (action == "revoke") {
    license.status = license_status::revoked;
    s->auto_renew = false;
    s->scheduled = {};
    // Add-ons need a base: they end with it (a revocation refunds nothing).
    for (const auto& addon_id : s->addons) addon_end(write, addon_id, license_status::expired, with, now, who);
  } else {
    refuse(errc::bad_request);
  }
  license_resign(write, license, with, now);
  subscription_save(write, *s, license);
  audit_append(write, who, "license." + action, license.id, now, {{"subscription", true}});
  // The license's event, and (but for a revocation, which ends it as a license) the subscription's.
  license_event_append(write, license_status_event(action), license, now);
  if (action != "revoke") subscription_event_append(write, action == "suspend" ? "suspended" : "reactivated", license, now);
  return license;
}

void subscription_unwind(store::write_view& write, const license_record& license, const signing& with,
                         const caller& who, std::int64_t now) {
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
  for (const auto& addon : s->addons) addon_end(write, addon, license_status::expired, with, now, who);
  for (const auto& member : members_of(write, license.id)) member_erase(write, license.id, member);
  must(write.subscription_erase(license.id));
}

activation member_activate(store::write_view& write, const caller& who, license_record& license,
                           const std::string& email, const signing& with, std::int64_t now) {
  auto member = found(write.member_get(license.id, email), errc::activation_failed);
  if (auto allowed = license_token_handout_allowed(license); !allowed) refuse(allowed.error());
  // A member's first token is a new working token: minting it needs a partner that may issue.
  if (member.token.empty()) partner_issuing_or_refuse(write, license.partner_id);
  if (member.token.empty() || member.token_at != license.updated_at || member.kid != with.signer->active_kid.value) {
    // A member's token is the license's, bound to the member's email, and bound like it.
    auto bound = license;
    bound.email = email;
    bound.fingerprint.clear();
    license_sign(bound, with);
    member.token = bound.token;
    member.kid = bound.kid;
    member.token_at = license.updated_at;
    member.token_hashes.push_back(hash_hex(member.token));
    must(write.token_binding_put(member.token_hashes.back(), {license.id, member.kid, email, false}));
    must(write.member_put(license.id, member));
    audit_append(write, caller_acting_as(who, "member:" + email), "license.member_activate", license.id, now);
  }
  return {license.id, member.token, license.expires_at, true};
}

bool member_exists(const store::read_view& view, std::string_view license_id, std::string_view email) {
  return must(view.member_get(license_id, email)).has_value();
}

std::vector<store::schedule_entry> subscription_due_list(const store::read_view& view, std::int64_t now) {
  return must(view.schedule_due(now, due_per_pass));
}

bool subscription_due_apply(store::write_view& write, const store::schedule_entry& entry, const signing& with,
                            std::int64_t now) {
  auto s = subscription_find(write, entry.license_id);
  auto license_found = license_lookup(write, entry.license_id);
  if (!s || !license_found) {  // the license or its terms are gone: drop what is left and the queue entry
    if (s) must(write.subscription_erase(entry.license_id));
    must(write.schedule_erase(entry));
    return false;
  }
  auto& license = *license_found;
  // Add-ons that are gone (deleted) are dropped from the base's list, so a partner's own records
  // can make this fail for nobody else.
  const auto addons_before = s->addons.size();
  std::erase_if(s->addons, [&](const std::string& id) { return !license_lookup(write, id) || !subscription_find(write, id); });
  bool changed = s->addons.size() != addons_before;
  // A partner that may no longer issue keeps renewing what it sold, as it was: no scheduled
  // widening, no trial becoming paid (see docs/subscriptions.md, hardening decisions).
  const bool issuing = partner_issuing(write, license.partner_id);
  std::uint32_t renewals = 0;
  // The events, written once the subscription is saved (their data reads it back).
  std::vector<std::pair<std::string, nlohmann::json>> happened;
  for (;;) {
    const auto action = sub::term_end_due(*s, license.status, now, issuing);
    if (action == sub::term_end_action::none) break;
    changed = true;
    if (action == sub::term_end_action::expire) {
      license.status = license_status::expired;
      s->auto_renew = false;
      s->scheduled = {};
      for (const auto& addon : s->addons) addon_end(write, addon, license_status::expired, with, now, scheduler_caller);
      audit_append(write, scheduler_caller, "subscription.expire", license.id, now, {{"term_end", rfc3339_format(s->term_end)}});
      happened.push_back({"expired", nlohmann::json::object()});
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
      license.kind = license_kind::paid;
    }
    sub::term_enter(*s, next);
    license.expires_at = next.end;
    subscription_term_charge(write, *s, license, converting ? "conversion" : "renewal", scheduler_caller, now);
    ++renewals;
    nlohmann::json details{{"term_start", rfc3339_format(next.start)}, {"term_end", rfc3339_format(next.end)},
                           {"tier", license.tier}, {"seats", license.seats}};
    if (!applied.empty()) details["scheduled_change"] = applied;
    audit_append(write, scheduler_caller, converting ? "subscription.trial_convert" : "subscription.renew", license.id, now,
                 std::move(details));
    if (!applied.empty()) happened.push_back({"scheduled_change_applied", {{"scheduled_change", applied}}});
    happened.push_back({converting ? "trial_converted" : "renewed", nlohmann::json::object()});
    for (const auto& addon : s->addons) addon_follow(write, addon, *s, with, now, "renewal", false, issuing);
    if (renewals > 100'000) refuse(errc::internal, "runaway renewal loop");
  }
  if (changed) {
    license_resign(write, license, with, now);
    subscription_save(write, *s, license);
    for (const auto& [what, extra] : happened) subscription_event_append(write, what, license, now, extra);
  } else if (s->schedule_due != 0 && s->schedule_due <= now) {
    subscription_save(write, *s, license);  // a stale queue entry: requeue or drop it
    changed = true;
  }
  // An entry that is not the one the record points at is stale.
  if (entry.due != s->schedule_due) must(write.schedule_erase(entry));
  return changed;
}

}  // namespace licensor::server
