#include "core/mail_channel.hpp"

#include "core/audit.hpp"
#include "core/mail_compose.hpp"
#include "core/refusal.hpp"
#include "core/views.hpp"
#include "licensor/email.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {
namespace {

constexpr std::size_t mail_waiting_counted_max = 100;

std::string address_or_refuse(const std::string& field, const std::string& raw) {
  if (raw.empty()) return {};
  auto normalised = email_normalise(raw);
  if (!normalised) refuse(errc::bad_request, "'" + field + "' must be an email address");
  return *normalised;
}

nlohmann::json settings_details(const mail_settings_record& settings) {
  return {{"sender", settings.sender},
          {"sender_name", settings.sender_name},
          {"reply_to", settings.reply_to},
          {"operator_email", settings.operator_email},
          {"portal_url", settings.portal_url}};
}

}  // namespace

void mail_channel_ensure(store::write_view& write, std::int64_t now) {
  if (must(write.webhook_endpoint_get(mail_channel_id))) return;
  webhook_endpoint_record channel;
  channel.id = std::string(mail_channel_id);
  channel.channel = "mail";
  channel.description = "mail (core/mail_channel.hpp)";
  channel.event_types = mail_event_types();
  channel.created_at = channel.updated_at = now;
  channel.created_by = "licensord";
  channel.cursor = must(write.outbox_last_seq());
  must(write.webhook_endpoint_put(channel));
}

mail_status mail_status_of(const store::read_view& view, bool smtp_configured) {
  mail_status status;
  status.smtp_configured = smtp_configured;
  status.sender_set = !must(view.mail_settings_get()).sender.empty();
  if (const auto channel = must(view.webhook_endpoint_get(mail_channel_id))) {
    const auto last = must(view.outbox_last_seq());
    status.behind = last - std::min(last, channel->cursor);
    // Counted up to a bound: health is public and cheap, whatever a mail server's outage left.
    status.waiting = must(view.deliveries_pending(mail_channel_id, mail_waiting_counted_max)).size();
    status.failing_since = channel->failing_since;
  }
  return status;
}

nlohmann::json mail_status_view(const mail_status& status) {
  const char* state = !status.smtp_configured ? "waiting_for_smtp"
                      : !status.sender_set    ? "waiting_for_sender"
                      : status.failing_since != 0 ? "failing"
                                                  : "sending";
  return {{"state", state},
          {"events_behind", status.behind},
          {"letters_waiting", status.waiting},
          {"failing_since", time_or_null(status.failing_since)}};
}

mail_settings_record mail_settings_update(store::write_view& write, const caller& who, const mail_settings_changes& changes,
                                          std::int64_t now) {
  auto settings = must(write.mail_settings_get());
  if (changes.sender) settings.sender = address_or_refuse("sender", *changes.sender);
  if (changes.reply_to) settings.reply_to = address_or_refuse("reply_to", *changes.reply_to);
  if (changes.operator_email) settings.operator_email = address_or_refuse("operator_email", *changes.operator_email);
  if (changes.sender_name) {
    if (changes.sender_name->size() > 200 || changes.sender_name->find_first_of("\r\n") != std::string::npos)
      refuse(errc::bad_request, "'sender_name' must be one line of at most 200 characters");
    settings.sender_name = *changes.sender_name;
  }
  if (changes.portal_url) {
    if (!changes.portal_url->empty() &&
        (!changes.portal_url->starts_with("https://") || changes.portal_url->size() > 500 ||
         changes.portal_url->find_first_of(" \r\n\"'<>#?") != std::string::npos))
      refuse(errc::bad_request, "'portal_url' must be an https:// URL without a query or fragment");
    settings.portal_url = *changes.portal_url;
  }
  settings.updated_at = now;
  settings.updated_by = who.id;
  must(write.mail_settings_put(settings));
  audit_append(write, who, "mail.settings_update", "mail", now, settings_details(settings));
  return settings;
}

const mail_template_kind& mail_template_kind_or_refuse(std::string_view name, std::string_view language) {
  const auto* kind = mail_template_kind_find(name);
  if (kind == nullptr) refuse(errc::not_found, "no mail template '" + std::string(name) + "'");
  if (mail_language_or_default(language) != language)
    refuse(errc::not_found, "mail is not written in '" + std::string(language) + "'");
  return *kind;
}

mail_template_record mail_template_replace(store::write_view& write, const caller& who, std::string_view name,
                                           std::string_view language, const mail_template& replacement, std::int64_t now) {
  mail_template_check(mail_template_kind_or_refuse(name, language), replacement);
  mail_template_record record{std::string(name), std::string(language), replacement.subject, replacement.text,
                              replacement.html, now, who.id};
  must(write.mail_template_put(record));
  audit_append(write, who, "mail.template_replace", std::string(name) + "/" + std::string(language), now);
  return record;
}

void mail_template_restore(store::write_view& write, const caller& who, std::string_view name, std::string_view language,
                           std::int64_t now) {
  (void)mail_template_kind_or_refuse(name, language);
  if (!must(write.mail_template_get(name, language))) refuse(errc::not_found, "this template was not replaced");
  must(write.mail_template_erase(name, language));
  audit_append(write, who, "mail.template_restore", std::string(name) + "/" + std::string(language), now);
}

store::page<store::delivery_attempt> mail_deliveries(const store::read_view& view, const store::page_request& page) {
  return must(view.delivery_log(mail_channel_id, page));
}

}  // namespace licensor::server
