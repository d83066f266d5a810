#include "core/mail_compose.hpp"

#include "core/events.hpp"
#include "core/ids.hpp"
#include "core/password_reset.hpp"
#include "core/people.hpp"
#include "core/refusal.hpp"
#include "domain/rules.hpp"
#include "domain/secret_hash.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {
namespace {

struct recipient {
  std::string address;
  std::string language;
};

std::string date_of(std::int64_t at) { return at == 0 ? std::string() : rfc3339_format(at).substr(0, 10); }

// Where customer-facing mail about `customer_id`'s things goes.
std::optional<recipient> customer_facing(const store::read_view& view, const std::string& customer_id,
                                         const partner_record& partner) {
  if (const auto customer = must(view.customer_get(customer_id)); customer && customer->manages_own_notifications)
    return recipient{customer->email, customer->language};
  if (partner.notification_email.empty()) return std::nullopt;
  return recipient{partner.notification_email, partner.language};
}

std::string customer_name_of(const store::read_view& view, const std::string& customer_id) {
  const auto customer = must(view.customer_get(customer_id));
  if (!customer) return {};
  return customer->name.empty() ? customer->email : customer->name;
}

mail_decision letter(std::string name, const recipient& to, template_values values) {
  return {mail_order{std::move(name), to.language, to.address, std::move(values)}, {}, false};
}

// The values every letter about a license has.
template_values license_values(const store::read_view& view, const license_record& license, const partner_record& partner) {
  const auto product = must(view.product_get(license.product));
  return {{"product", product ? product->name : license.product},
          {"tier", license.tier},
          {"seats", std::to_string(license.seats)},
          {"expires", date_of(license.expires_at)},
          {"activation_key", license.activation_key},
          {"email", license.email},
          {"customer_name", customer_name_of(view, license.customer_id)},
          {"partner_name", partner.name}};
}

std::string link_to(const mail_settings_record& settings, std::string_view path, const std::string& token) {
  if (settings.portal_url.empty()) return {};
  auto base = settings.portal_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + std::string(path) + "#token=" + token;
}

// A compliance notice goes to the partner, who must fix the registration (the customer's app
// shows the notice itself). Written only while it is still true when it is sent; an expired
// license keeps its finding, which says what was wrong.
mail_decision compliance_letter(const license_record& license, const partner_record& partner,
                                const store::outbox_event& event, std::int64_t now) {
  if (partner.notification_email.empty()) return {};
  const bool expired = event.type == "license.compliance_expired";
  if (expired ? license.status != license_status::expired : !license.compliance.flagged()) return {};
  std::string rules;
  for (const auto& rule : license.compliance.rules) rules += (rules.empty() ? "" : ", ") + rule;
  template_values values{{"partner_name", partner.name}, {"product", license.product}, {"email", license.email},
                         {"license_id", license.id}, {"rules", rules}, {"expired", expired ? "yes" : ""},
                         {"deadline", date_of(license.compliance.deadline)}, {"days", ""}};
  if (event.type == "license.compliance_deadline_near")
    values["days"] = std::to_string((license.compliance.deadline - now + day_seconds - 1) / day_seconds);
  return letter("compliance_notice", {partner.notification_email, partner.language}, std::move(values));
}

mail_decision license_letter(store::write_view& write, const store::outbox_event& event, std::int64_t now,
                             const std::function<bool(const std::string&)>& token_usable) {
  const auto data = event_data(event);
  const auto license_id = data.value("id", std::string());
  const auto license = must(write.license_get(license_id));
  if (!license) return {std::nullopt, "the license was deleted", true};
  const auto partner = must(write.partner_get(license->partner_id));
  if (!partner) return {std::nullopt, "the partner was deleted", true};
  if (event.type.starts_with("license.compliance_")) return compliance_letter(*license, *partner, event, now);
  const auto to = customer_facing(write, license->customer_id, *partner);
  if (!to) return {std::nullopt, "no address: the customer does not manage its own notifications and its partner has no notification_email", true};
  auto values = license_values(write, *license, *partner);

  if (event.type == "license.delivery_requested") {
    if (auto allowed = license_token_handout_allowed(*license); !allowed)
      return {std::nullopt, "the license is no longer in force", true};
    if (!token_usable(license->kid)) return {std::nullopt, "the license's token waits to be re-signed", false};
    values["token"] = license->token;
    return letter("delivery_letter", *to, std::move(values));
  }
  // license.expiring: a subscription's renewal, or a license's expiry.
  if (license->status != license_status::active || license->expires_at <= now) return {};
  const auto days = std::to_string(data.value("days_left", (license->expires_at - now + day_seconds - 1) / day_seconds));
  values["days"] = days;
  if (const auto terms = must(write.subscription_get(license->id))) {
    if (terms->trial) return {};  // trial_ending says it
    return letter("subscription_renewal", *to,
                  {{"product", values["product"]}, {"tier", license->tier}, {"seats", values["seats"]}, {"days", days},
                   {"renews_on", date_of(license->expires_at)}, {"auto_renew", terms->auto_renew ? "yes" : ""},
                   {"customer_name", values["customer_name"]}, {"partner_name", partner->name}});
  }
  values.erase("seats");
  values.erase("email");
  return letter("license_expiring", *to, std::move(values));
}

mail_decision subscription_letter(store::write_view& write, const store::outbox_event& event, std::int64_t now) {
  const auto data = event_data(event);
  const auto license = must(write.license_get(data.value("id", std::string())));
  if (!license) return {};
  const auto partner = must(write.partner_get(license->partner_id));
  if (!partner) return {};
  auto values = license_values(write, *license, *partner);
  if (event.type == "subscription.member_added") {
    const auto member = data.value("member", std::string());
    if (member.empty() || !must(write.member_get(license->id, member))) return {};  // removed meanwhile
    const auto customer = must(write.customer_get(license->customer_id));
    return letter("member_invitation", {member, customer ? customer->language : "en"},
                  {{"product", values["product"]}, {"tier", license->tier}, {"activation_key", license->activation_key},
                   {"member_email", member}, {"customer_name", values["customer_name"]}, {"partner_name", partner->name},
                   {"expires", values["expires"]}});
  }
  // subscription.trial_ending
  if (license->status != license_status::active || license->expires_at <= now) return {};
  const auto to = customer_facing(write, license->customer_id, *partner);
  if (!to) return {std::nullopt, "no address: the customer does not manage its own notifications and its partner has no notification_email", true};
  return letter("trial_ending", *to,
                {{"product", values["product"]}, {"tier", license->tier},
                 {"days", std::to_string(data.value("days_left", std::int64_t{7}))},
                 {"ends_on", date_of(license->expires_at)}, {"customer_name", values["customer_name"]},
                 {"partner_name", partner->name}});
}

std::string organisation_name(const store::read_view& view, const user_record& user, const mail_settings_record& settings) {
  if (!user.customer_id.empty()) return customer_name_of(view, user.customer_id);
  if (!user.partner_id.empty())
    if (const auto partner = must(view.partner_get(user.partner_id))) return partner->name;
  return settings.sender_name.empty() ? std::string("Licensor") : settings.sender_name;
}

mail_decision user_letter(store::write_view& write, const mail_settings_record& settings, const store::outbox_event& event,
                          std::int64_t now) {
  const auto data = event_data(event);
  auto user = must(write.user_get(data.value("id", std::string())));
  if (!user) return {};
  const recipient to{user->email, user->language};
  if (event.type == "user.invited") {
    if (!data.value("emailed", false) || user->status != "invited") return {};
    const auto expires = event.occurred_at + invitation_lifetime_seconds;
    if (expires <= now) return {};
    const auto token = secret_generate("inv_");
    must(write.user_token_put(hash_hex(token), {user->id, "invitation", expires}));
    return letter("user_invitation", to,
                  {{"name", user->name.empty() ? user->email : user->name}, {"organisation", organisation_name(write, *user, settings)},
                   {"role", user->role}, {"token", token}, {"expires", rfc3339_format(expires)},
                   {"accept_url", link_to(settings, "/invitation", token)}});
  }
  // user.password_reset_requested: only while the reset it asked for is still open.
  if (user->status != "active" || user->password_reset_hash.empty()) return {};
  const auto live = must(write.user_token_get(user->password_reset_hash));
  if (!live || live->expires_at <= now) return {};
  const auto token = secret_generate("rst_");
  password_reset_token_replace(write, *user, hash_hex(token), now);
  return letter("password_reset", to,
                {{"name", user->name.empty() ? user->email : user->name}, {"token", token},
                 {"expires", rfc3339_format(now + password_reset_lifetime_seconds)},
                 {"reset_url", link_to(settings, "/password-reset", token)}});
}

mail_decision partner_letter(const store::read_view& view, const mail_settings_record& settings,
                             const store::outbox_event& event) {
  const auto data = event_data(event);
  const auto partner = event.partner_id.empty() ? std::nullopt : must(view.partner_get(event.partner_id));
  const auto to_owner = [&]() -> std::optional<recipient> {
    if (partner) {
      if (partner->notification_email.empty()) return std::nullopt;
      return recipient{partner->notification_email, partner->language};
    }
    if (settings.operator_email.empty()) return std::nullopt;
    return recipient{settings.operator_email, "en"};
  };
  if (event.type == "webhook.endpoint_disabled") {
    const auto to = to_owner();
    if (!to) return {};
    const auto since = data.value("failing_since", std::int64_t{0});
    return letter("webhook_endpoint_disabled", *to,
                  {{"url", data.value("url", std::string())},
                   {"reason_gone", data.value("reason", std::string()) == "gone" ? "yes" : ""},
                   {"failing_since", since == 0 ? std::string() : rfc3339_format(since)}});
  }
  if (!partner) return {};
  if (event.type == "partner.enabling_requested") {
    if (settings.operator_email.empty()) return {};
    return letter("partner_enabling_requested", {settings.operator_email, "en"},
                  {{"partner_name", partner->name}, {"partner_id", partner->id},
                   {"requested_by", data.value("requested_by", std::string())}});
  }
  const auto to = to_owner();
  if (!to) return {};
  return letter("partner_enabled", *to, {{"partner_name", partner->name}});
}

}  // namespace

mail_letter delivery_letter_render(const store::read_view& view, const license_record& license, std::string_view language) {
  const auto partner = must(view.partner_get(license.partner_id)).value_or(partner_record{});
  auto values = license_values(view, license, partner);
  values["token"] = license.token;
  const auto chosen = mail_language_or_default(language);
  return mail_letter_render(mail_template_in_force(view, "delivery_letter", chosen), values, chosen);
}

const std::vector<std::string>& mail_event_types() {
  static const std::vector<std::string> types{
      "license.delivery_requested", "license.expiring",          "subscription.member_added",
      "subscription.trial_ending",  "user.invited",              "user.password_reset_requested",
      "webhook.endpoint_disabled",  "partner.enabling_requested", "partner.enabled",
      "license.compliance_flagged", "license.compliance_deadline_near", "license.compliance_expired"};
  return types;
}

mail_decision mail_decide(store::write_view& write, const mail_settings_record& settings, const store::outbox_event& event,
                          std::int64_t now, const std::function<bool(const std::string&)>& token_usable) {
  if (event.type.starts_with("license.")) return license_letter(write, event, now, token_usable);
  if (event.type.starts_with("subscription.")) return subscription_letter(write, event, now);
  if (event.type.starts_with("user.")) return user_letter(write, settings, event, now);
  return partner_letter(write, settings, event);
}

}  // namespace licensor::server
