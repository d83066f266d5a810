// Mail (operators): the settings (sender, reply-to, the operators' address, the portal's URL for
// links), the templates (each kind of letter in each language: the built-in one or the
// operator's replacement), and the mail delivery log. The SMTP server itself is configuration
// (app/config.hpp), so its password never passes through the API.
#include "api/body_reader.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "core/mail_channel.hpp"
#include "core/views.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {
namespace {

nlohmann::json settings_view(const mail_settings_record& settings, const mail_status& status) {
  return {{"sender", text_or_null(settings.sender)},
          {"sender_name", text_or_null(settings.sender_name)},
          {"reply_to", text_or_null(settings.reply_to)},
          {"operator_email", text_or_null(settings.operator_email)},
          {"portal_url", text_or_null(settings.portal_url)},
          {"updated_at", time_or_null(settings.updated_at)},
          {"status", mail_status_view(status)}};
}

nlohmann::json template_view(const mail_template_kind& kind, std::string_view language, const mail_template& chosen,
                             const std::optional<mail_template_record>& replaced) {
  return {{"name", kind.name},
          {"language", language},
          {"summary", kind.summary},
          {"values", kind.values},
          {"replaced", replaced.has_value()},
          {"updated_at", replaced ? nlohmann::json(rfc3339_format(replaced->updated_at)) : nlohmann::json()},
          {"subject", chosen.subject},
          {"text", chosen.text},
          {"html", chosen.html}};
}

}  // namespace

void mail_settings_get(service& svc, api_call&, responder respond) {
  const auto snapshot = svc.read();
  respond(answer(settings_view(must(snapshot->mail_settings_get()), mail_status_of(*snapshot, svc.config().smtp_configured))));
}

void mail_settings_update(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"sender", "sender_name", "reply_to", "operator_email", "portal_url"});
  const mail_settings_changes changes{body.optional_string("sender"), body.optional_string("sender_name"),
                                      body.optional_string("reply_to"), body.optional_string("operator_email"),
                                      body.optional_string("portal_url")};
  svc.commit(call, [who = call.who, changes, smtp = svc.config().smtp_configured, now = svc.now()](store::write_view& write,
                                                                                                   const signing&) {
    const auto settings = mail_settings_update(write, who, changes, now);
    return answer(settings_view(settings, mail_status_of(write, smtp)));
  }, std::move(respond));
}

void mail_template_list(service& svc, api_call&, responder respond) {
  const auto snapshot = svc.read();
  auto items = nlohmann::json::array();
  for (const auto& kind : mail_template_kinds()) {
    for (const auto language : mail_languages()) {
      const auto replaced = must(snapshot->mail_template_get(kind.name, language));
      auto view = template_view(kind, language, mail_template_in_force(*snapshot, kind.name, language), replaced);
      for (const char* part : {"subject", "text", "html"}) view.erase(part);  // the list is an index
      items.push_back(std::move(view));
    }
  }
  respond(answer({{"items", std::move(items)}}));
}

void mail_template_get(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  const auto& kind = mail_template_kind_or_refuse(call.params[0], call.params[1]);
  const auto replaced = must(snapshot->mail_template_get(kind.name, call.params[1]));
  respond(answer(template_view(kind, call.params[1], mail_template_in_force(*snapshot, kind.name, call.params[1]), replaced)));
}

void mail_template_put(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"subject", "text", "html"});
  const mail_template replacement{body.string("subject"), body.string("text"), body.string("html")};
  constexpr std::size_t part_max = 64 * 1024;
  if (replacement.subject.size() > 500 || replacement.text.size() > part_max || replacement.html.size() > part_max)
    refuse(errc::bad_request, "the subject is at most 500 bytes, each part at most 64 KiB");
  svc.commit(call, [who = call.who, name = call.params[0], language = call.params[1], replacement, now = svc.now()](
                       store::write_view& write, const signing&) {
    const auto record = mail_template_replace(write, who, name, language, replacement, now);
    return answer(template_view(*mail_template_kind_find(name), language, replacement, record));
  }, std::move(respond));
}

void mail_template_delete(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  svc.commit(call, [who = call.who, name = call.params[0], language = call.params[1], now = svc.now()](
                       store::write_view& write, const signing&) {
    mail_template_restore(write, who, name, language, now);
    return answer(template_view(*mail_template_kind_find(name), language, mail_template_builtin(name, language), std::nullopt));
  }, std::move(respond));
}

void mail_delivery_list(service& svc, api_call& call, responder respond) {
  respond(page_answer(mail_deliveries(*svc.read(), page_of(call)), delivery_attempt_view));
}

}  // namespace licensor::server
