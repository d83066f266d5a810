// Subscriptions (docs/subscriptions.md): create, seats, members, upgrades, scheduled changes,
// auto-renew, cancel, reactivate, trial conversion, the ledger and the delivery letter. Each
// handler parses, calls one operation of core/subscription_changes.hpp and renders.
#include <map>

#include "api/body_reader.hpp"
#include "core/mail_compose.hpp"
#include "api/list_filters.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "api/scope.hpp"
#include "core/subscription_views.hpp"
#include "core/views.hpp"
#include "core/ids.hpp"
#include "core/licenses.hpp"
#include "core/subscription_changes.hpp"
#include "domain/activation_key.hpp"
#include "licensor/email.hpp"
#include "licensor/rfc3339.hpp"
#include "subscription/rules.hpp"

namespace licensor::server {
namespace sub = subscription;
namespace {

api_response view_answer(const store::read_view& view, const license_record& license, std::int64_t now,
                         unsigned status = 200) {
  return answer(subscription_license_view(view, license, now), status);
}

// ?preview=true on a change that charges or refunds (seats, upgrade, cancel, convert): the change
// made exactly as it would be, then rolled back (service::preview). The answer is what it would
// charge (ledger entries, negative for a refund, each with its currency) and what the license
// would become, without its tokens and keys, which would not exist.
bool preview_asked(const api_call& call) {
  const auto asked = call.query.find("preview");
  if (asked == call.query.end()) return false;
  if (asked->second != "true" && asked->second != "false") refuse(errc::bad_request, "query 'preview' must be true or false");
  return asked->second == "true";
}

void secrets_strip(nlohmann::json& shown) {
  if (!shown.is_object()) return;
  shown.erase("token");
  shown.erase("activation_key");
  for (auto& [name, value] : shown.items()) secrets_strip(value);
}

void change_commit(service& svc, const api_call& call, const std::string& license_id, service::change work,
                   responder respond) {
  if (!preview_asked(call)) return svc.commit(call, std::move(work), std::move(respond));
  svc.preview([work = std::move(work), license_id, who = call.who, now = svc.now()](store::write_view& write,
                                                                                   const signing& with) {
    // The charges are the partner's ledger entries at `now` that the change appends.
    const auto partner_id = license_visible(write, who, license_id).partner_id;
    const auto at_now = [&] {
      std::map<std::uint64_t, sub::ledger_entry> entries;
      store::page_request page{500, {}};
      do {
        auto got = must(write.partner_ledger(partner_id, {now, now + 1}, page));
        for (auto& entry : got.items) entries.emplace(entry.seq, std::move(entry));
        page.after = got.next;
      } while (!page.after.empty());
      return entries;
    };
    const auto before = at_now();
    auto made = work(write, with);
    if (made.status >= 300) return made;
    auto charges = nlohmann::json::array();
    std::map<std::string, std::int64_t> totals;
    for (const auto& [seq, entry] : at_now()) {
      if (before.contains(seq)) continue;
      charges.push_back(ledger_view(entry));
      totals[entry.currency] += entry.amount;
    }
    auto result = std::move(made.body);
    secrets_strip(result);
    return answer({{"preview", true}, {"charges", std::move(charges)}, {"totals", totals}, {"result", std::move(result)}});
  }, std::move(respond));
}

std::optional<sub::term_kind> term_or_refuse(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  const auto term = sub::term_parse(*text);
  if (!term) refuse(errc::bad_request, "field 'term' must be monthly or annual");
  return term;
}

std::string member_email_of(const std::string& typed) {
  const auto email = email_normalise(typed);
  if (!email) refuse(errc::invalid_email);
  return *email;
}

}  // namespace

void subscription_create(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"customer_id", "product", "tier", "term", "seats", "auto_renew", "trial",
                                     "trial_days", "base_license_id", "features", "partner_id", "send_delivery_letter"});
  const auto send_letter = body.optional_bool("send_delivery_letter");
  subscription_order order;
  auto& license = order.license;
  license.id = id_generate("lic_");
  license.partner_id = acting_partner(call, body);
  license.customer_id = body.string("customer_id");
  license.product = body.string("product");
  order.trial = body.optional_bool("trial").value_or(false);
  order.base_license_id = body.optional_string("base_license_id").value_or("");
  if (order.trial && !order.base_license_id.empty()) refuse(errc::bad_request, "an add-on cannot be a trial");
  order.term = term_or_refuse(body.optional_string("term").value_or("monthly")).value();
  order.trial_days = body.optional_integer("trial_days", 1, 365);
  if (order.trial_days && !order.trial) refuse(errc::bad_request, "field 'trial_days' needs 'trial': true");
  license.kind = order.trial ? license_kind::trial : license_kind::paid;
  license.seats = static_cast<std::uint32_t>(
      body.optional_integer("seats", 1, sub::seats_max).value_or(order.trial ? sub::trial_default_seats : 1));
  license.features = body.optional_strings("features").value_or(std::vector<std::string>{});
  order.tier = body.optional_string("tier");
  order.auto_renew = body.optional_bool("auto_renew").value_or(true);
  license.activation_key = activation_key_generate();
  svc.commit(call, [who = call.who, order, send_letter, now = svc.now()](store::write_view& write, const signing& with) {
    const auto created = subscription_create(write, who, order, with, now);
    license_delivery_on_issue(write, created, send_letter, now);
    return view_answer(write, created, now, 201);
  }, std::move(respond));
}

void license_seats_set(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"seats"});
  const auto seats = body.optional_integer("seats", 1, sub::seats_max);
  if (!seats) refuse(errc::bad_request, "field 'seats' is required");
  change_commit(svc, call, call.params[0], [who = call.who, id = call.params[0], seats = static_cast<std::uint32_t>(*seats),
                                            now = svc.now()](store::write_view& write, const signing& with) {
    return view_answer(write, subscription_seats_set(write, who, id, seats, with, now), now);
  }, std::move(respond));
}

void member_add(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"email"});
  svc.commit(call, [who = call.who, id = call.params[0], email = member_email_of(body.string("email")), now = svc.now()](
                       store::write_view& write, const signing&) {
    const auto added = member_add(write, who, id, email, now);
    return answer({{"license_id", added.license.id}, {"email", email}, {"added_at", rfc3339_format(now)},
                   {"members", added.members}, {"seats", added.license.seats}}, 201);
  }, std::move(respond));
}

void member_remove(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"email"});
  auto typed = body.optional_string("email");
  if (!typed) {
    if (const auto it = call.query.find("email"); it != call.query.end()) typed = it->second;
  }
  if (!typed) refuse(errc::bad_request, "give the member's 'email' in the body or the query");
  svc.commit(call, [who = call.who, id = call.params[0], email = member_email_of(*typed), now = svc.now()](
                       store::write_view& write, const signing&) {
    const auto removed = member_remove(write, who, id, email, now);
    return answer({{"license_id", removed.license.id}, {"email", email}, {"removed", true}, {"members", removed.members},
                   {"seats", removed.license.seats}, {"expires_at", rfc3339_format(removed.license.expires_at)}});
  }, std::move(respond));
}

void member_list(service& svc, api_call& call, responder respond) {
  const auto listed = members_list(*svc.read(), call.who, call.params[0]);
  auto items = nlohmann::json::array();
  for (const auto& member : listed.members)
    items.push_back({{"email", member.email}, {"added_at", rfc3339_format(member.added_at)}, {"activated", !member.token.empty()}});
  respond(answer({{"license_id", listed.license.id}, {"seats", listed.license.seats}, {"items", std::move(items)}}));
}

void license_upgrade(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"tier", "seats"});
  const auto seats = body.optional_integer("seats", 1, sub::seats_max);
  change_commit(svc, call, call.params[0], [who = call.who, id = call.params[0], tier = body.string("tier"),
                    seats = seats ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*seats)) : std::nullopt,
                    new_id = id_generate("lic_"), new_key = activation_key_generate(),
                    now = svc.now()](store::write_view& write, const signing& with) {
    const auto upgraded = subscription_upgrade(write, who, id, tier, seats, new_id, new_key, with, now);
    if (!upgraded.new_license) return view_answer(write, upgraded.license, now);
    return answer({{"license", subscription_license_view(write, upgraded.license, now)},
                   {"new_license", subscription_license_view(write, *upgraded.new_license, now)}}, 201);
  }, std::move(respond));
}

void scheduled_change_set(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"tier", "seats", "term"});
  sub::scheduled_change change;
  change.tier = body.optional_string("tier").value_or("");
  change.seats = static_cast<std::uint32_t>(body.optional_integer("seats", 1, sub::seats_max).value_or(0));
  change.term = body.optional_string("term").value_or("");
  if (change.empty()) refuse(errc::bad_request, "give at least one of 'tier', 'seats', 'term'");
  if (!change.term.empty()) (void)term_or_refuse(change.term);
  svc.commit(call, [who = call.who, id = call.params[0], change, now = svc.now()](store::write_view& write, const signing&) {
    return view_answer(write, scheduled_change_set(write, who, id, change, now), now);
  }, std::move(respond));
}

void scheduled_change_delete(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  svc.commit(call, [who = call.who, id = call.params[0], now = svc.now()](store::write_view& write, const signing&) {
    return view_answer(write, scheduled_change_drop(write, who, id, now), now);
  }, std::move(respond));
}

void auto_renew_set(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"on"});
  const auto on = body.optional_bool("on");
  if (!on) refuse(errc::bad_request, "field 'on' is required");
  svc.commit(call, [who = call.who, id = call.params[0], on = *on, now = svc.now()](store::write_view& write, const signing&) {
    return view_answer(write, auto_renew_set(write, who, id, on, now), now);
  }, std::move(respond));
}

void subscription_cancel(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  change_commit(svc, call, call.params[0], [who = call.who, id = call.params[0], now = svc.now()](store::write_view& write,
                                                                                                 const signing& with) {
    return view_answer(write, subscription_cancel(write, who, id, with, now), now);
  }, std::move(respond));
}

void subscription_reactivate(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  svc.commit(call, [who = call.who, id = call.params[0], now = svc.now()](store::write_view& write, const signing& with) {
    return view_answer(write, subscription_reactivate(write, who, id, with, now), now);
  }, std::move(respond));
}

// Converts a trial (in place, or into an existing subscription) or a free license (to a plain
// paid license, or to a subscription: {"to": "paid" | "subscription"}).
void trial_convert(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"into_license_id", "term", "seats", "tier", "to", "expires_at"});
  const auto license = license_visible(*svc.read(), call.who, call.params[0]);
  const auto seats = body.optional_integer("seats", 1, sub::seats_max);
  if (license.kind == license_kind::free) {
    free_conversion order;
    const auto to = body.optional_string("to").value_or("paid");
    if (to != "paid" && to != "subscription") refuse(errc::bad_request, "field 'to' must be paid or subscription");
    order.subscription = to == "subscription";
    order.term = term_or_refuse(body.optional_string("term"));
    order.tier = body.optional_string("tier");
    if (seats) order.seats = static_cast<std::uint32_t>(*seats);
    order.expires_at = body.optional_time("expires_at").value_or(0);
    if (body.optional_string("into_license_id")) refuse(errc::bad_request, "a free license converts in place");
    if (order.subscription && call.body.contains("expires_at"))
      refuse(errc::bad_request, "a subscription's expiry is its term: give 'term'");
    if (!order.subscription && order.term) refuse(errc::bad_request, "field 'term' needs 'to': \"subscription\"");
    change_commit(svc, call, license.id, [who = call.who, id = license.id, order, now = svc.now()](store::write_view& write,
                                                                                                const signing& with) {
      return view_answer(write, free_license_convert(write, who, id, order, with, now), now);
    }, std::move(respond));
    return;
  }
  if (body.optional_string("to") || call.body.contains("expires_at"))
    refuse(errc::bad_request, "fields 'to' and 'expires_at' are for converting a free license");
  conversion_order order;
  order.into_license_id = body.optional_string("into_license_id");
  order.term = term_or_refuse(body.optional_string("term"));
  if (seats) order.seats = static_cast<std::uint32_t>(*seats);
  order.tier = body.optional_string("tier");
  if (order.into_license_id && (order.term || order.seats || order.tier))
    refuse(errc::bad_request, "converting into an existing subscription takes only 'into_license_id'");
  change_commit(svc, call, call.params[0], [who = call.who, id = call.params[0], order, now = svc.now()](
                                               store::write_view& write, const signing& with) {
    const auto converted = trial_convert(write, who, id, order, with, now);
    if (!converted.into) return view_answer(write, converted.license, now);
    return answer({{"license", subscription_license_view(write, converted.license, now)},
                   {"into", subscription_license_view(write, *converted.into, now)}});
  }, std::move(respond));
}

void license_ledger_list(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  const auto license = license_visible(*snapshot, call.who, call.params[0]);
  respond(page_answer(must(snapshot->ledger_of(license.id, page_of(call))), ledger_view));
}

void ledger_list(service& svc, api_call& call, responder respond) {
  const auto partner_id = listing_partner(call);
  if (partner_id.empty()) refuse(errc::bad_request, "query 'partner_id' is required for operators");
  auto listed = page_answer(must(svc.read()->partner_ledger(partner_id, ledger_period_of(call), page_of(call))), ledger_view);
  listed.body["partner_id"] = partner_id;
  respond(std::move(listed));
}

namespace {

api_response delivery_answer(const store::read_view& view, const license_record& license, const std::string& language) {
  const auto letter = delivery_letter_render(view, license, language);
  return answer({{"license_id", license.id},
                 {"activation_key", license.activation_key},
                 {"email", license.email},
                 {"token", license.token},
                 {"expires_at", time_or_null(license.expires_at)},
                 {"language", mail_language_or_default(language)},
                 {"subject", letter.subject},
                 {"instructions", letter.text},
                 {"html", letter.html}});
}

// The letter's language: asked for (?language=), else the customer's.
std::string letter_language(const store::read_view& view, const api_call& call, const license_record& license) {
  if (const auto asked = call.query.find("language"); asked != call.query.end()) {
    if (mail_language_or_default(asked->second) != asked->second)
      refuse(errc::bad_request, "query 'language' must be one of en, es, it");
    return asked->second;
  }
  const auto customer = must(view.customer_get(license.customer_id));
  return customer ? customer->language : std::string("en");
}

}  // namespace

void license_delivery_get(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  const auto license = license_visible(*snapshot, call.who, call.params[0]);
  // The letter carries the token: only while the license is in force (not cancelled or expired).
  if (auto allowed = license_token_handout_allowed(license); !allowed) refuse(allowed.error());
  const auto language = letter_language(*snapshot, call, license);
  if (!svc.signer()->keyring.is_revoked(KeyId{license.kid})) return respond(delivery_answer(*snapshot, license, language));
  // A token of a revoked key is never handed out: re-signed first, before the background job gets to it.
  svc.commit(call, [who = call.who, id = license.id, language, now = svc.now()](store::write_view& write, const signing& with) {
    const auto fresh = license_token_fresh(write, who, id, with, now);
    return delivery_answer(write, fresh, language);
  }, std::move(respond));
}

void license_delivery_send(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  svc.commit(call, [who = call.who, id = call.params[0], now = svc.now()](store::write_view& write, const signing&) {
    license_delivery_request(write, who, id, now);
    return answer({{"license_id", id}, {"queued", true}}, 202);
  }, std::move(respond));
}

}  // namespace licensor::server
