#include "core/mail_templates.hpp"

#include <array>
#include <optional>

#include "core/mail_template_files.hpp"
#include "core/refusal.hpp"

namespace licensor::server {
namespace {

constexpr std::array<std::string_view, 3> languages{"en", "es", "it"};

const std::vector<mail_template_kind>& kinds() {
  static const std::vector<mail_template_kind> all{
      {"delivery_letter", "a license for its holder: the activation key, the token and how to install and activate",
       {"product", "tier", "seats", "expires", "activation_key", "email", "token", "customer_name", "partner_name"}},
      {"member_invitation", "a person was given a seat of a subscription",
       {"product", "tier", "activation_key", "member_email", "customer_name", "partner_name", "expires"}},
      {"user_invitation", "a person was invited to sign in", {"name", "organisation", "role", "token", "expires", "accept_url"}},
      {"password_reset", "an administrator started a password reset for a person", {"name", "token", "expires", "reset_url"}},
      {"license_expiring", "a license expires soon (30, 7 and 1 days before by default)",
       {"product", "tier", "days", "expires", "activation_key", "customer_name", "partner_name"}},
      {"subscription_renewal", "a subscription's term ends soon: it renews, or it ends",
       {"product", "tier", "seats", "days", "renews_on", "auto_renew", "customer_name", "partner_name"}},
      {"trial_ending", "a trial ends soon", {"product", "tier", "days", "ends_on", "customer_name", "partner_name"}},
      {"webhook_endpoint_disabled", "a webhook endpoint was disabled (to its owner)", {"url", "reason_gone", "failing_since"}},
      {"partner_enabling_requested", "a partner asks to be enabled to issue (to the operators)",
       {"partner_name", "partner_id", "requested_by"}},
      {"partner_enabled", "a partner was enabled to issue", {"partner_name"}},
      {"compliance_notice", "a free license's registration breaks the programme's rules: found, 7 days before its deadline, expired (to the partner)",
       {"partner_name", "product", "email", "license_id", "rules", "deadline", "days", "expired"}},
  };
  return all;
}

std::optional<std::string_view> file_text(const std::string& name) {
  for (const auto& file : mail_template_files())
    if (file.name == name) return file.text;
  return std::nullopt;
}

void part_check(const mail_template_kind& kind, std::string_view part, std::string_view text) {
  if (const auto problem = text_template_problem(text); !problem.empty())
    refuse(errc::bad_request, std::string(part) + ": " + problem);
  const auto names = text_template_names(text);
  for (const auto& name : names ? *names : std::set<std::string>{}) {
    bool known = false;
    for (const auto value : kind.values) known = known || value == name;
    if (!known) refuse(errc::bad_request, std::string(part) + ": '" + name + "' is not a value of " + std::string(kind.name));
  }
}

std::string rendered(std::string_view text, const template_values& values, template_escaping escaping) {
  auto out = text_template_render(text, values, escaping);
  if (!out) refuse(errc::internal, "a mail template names a value it was not given");
  return std::move(*out);
}

}  // namespace

std::span<const std::string_view> mail_languages() { return languages; }

std::string mail_language_or_default(std::string_view language) {
  for (const auto known : languages)
    if (known == language) return std::string(known);
  return std::string(languages.front());
}

std::span<const mail_template_kind> mail_template_kinds() { return kinds(); }

const mail_template_kind* mail_template_kind_find(std::string_view name) {
  for (const auto& kind : kinds())
    if (kind.name == name) return &kind;
  return nullptr;
}

mail_template mail_template_builtin(std::string_view name, std::string_view language) {
  const std::string stem = std::string(name) + "." + std::string(language);
  const auto text = file_text(stem + ".txt");
  const auto html = file_text(stem + ".html");
  if (!text || !html) refuse(errc::internal, "no built-in mail template " + stem);
  // "Subject: …", a blank line, the text.
  constexpr std::string_view subject_prefix = "Subject: ";
  const auto subject_end = text->find('\n');
  if (!text->starts_with(subject_prefix) || subject_end == std::string_view::npos)
    refuse(errc::internal, "the built-in mail template " + stem + " has no subject line");
  auto body = text->substr(subject_end + 1);
  if (body.starts_with('\n')) body.remove_prefix(1);
  return {std::string(text->substr(subject_prefix.size(), subject_end - subject_prefix.size())), std::string(body),
          std::string(*html)};
}

mail_template mail_template_in_force(const store::read_view& view, std::string_view name, std::string_view language) {
  if (auto replaced = must(view.mail_template_get(name, language)))
    return {std::move(replaced->subject), std::move(replaced->text), std::move(replaced->html)};
  return mail_template_builtin(name, language);
}

void mail_template_check(const mail_template_kind& kind, const mail_template& replacement) {
  if (replacement.subject.empty() || replacement.subject.find_first_of("\r\n") != std::string::npos)
    refuse(errc::bad_request, "subject: one line, not empty");
  if (replacement.text.empty()) refuse(errc::bad_request, "text: the plain-text part may not be empty");
  if (replacement.html.empty()) refuse(errc::bad_request, "html: the HTML part may not be empty");
  part_check(kind, "subject", replacement.subject);
  part_check(kind, "text", replacement.text);
  part_check(kind, "html", replacement.html);
}

mail_letter mail_letter_render(const mail_template& chosen, const template_values& values, std::string_view language) {
  mail_letter letter;
  letter.subject = rendered(chosen.subject, values, template_escaping::none);
  letter.text = rendered(chosen.text, values, template_escaping::none);
  letter.html = "<!DOCTYPE html>\n<html lang=\"" + html_escape(language) + "\">\n<head><meta charset=\"utf-8\"><title>" +
                html_escape(letter.subject) + "</title></head>\n<body style=\"font-family:sans-serif;line-height:1.5\">\n" +
                rendered(chosen.html, values, template_escaping::html) + "</body>\n</html>\n";
  return letter;
}

}  // namespace licensor::server
