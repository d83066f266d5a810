// The mail Licensor writes, one template per kind of letter and language (English, Spanish,
// Italian), each with a subject, a plain-text part and an HTML part. The built-in templates are
// the files of core/templates/ ("<name>.<language>.txt": "Subject: …", a blank line, the text;
// "<name>.<language>.html": the HTML part's body), compiled into the binary; an operator may
// replace any of them (PUT /v1/mail/templates/{name}/{language}), and the replacement is kept in
// the store. Templates use domain/text_template.hpp's placeholders, each kind its own names.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/records.hpp"
#include "domain/text_template.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// The languages mail is written in; the first is the fallback.
[[nodiscard]] std::span<const std::string_view> mail_languages();
/// `language` if mail is written in it, else the fallback ("en").
[[nodiscard]] std::string mail_language_or_default(std::string_view language);

/// One kind of letter.
struct mail_template_kind {
  std::string_view name;       ///< "delivery_letter"
  std::string_view summary;
  std::vector<std::string_view> values;  ///< the placeholders it may use
};

/// Every kind of letter.
[[nodiscard]] std::span<const mail_template_kind> mail_template_kinds();
/// The kind named `name`, or nullptr.
[[nodiscard]] const mail_template_kind* mail_template_kind_find(std::string_view name);

struct mail_template {
  std::string subject;
  std::string text;
  std::string html;
};

/// The built-in template. Throws refusal(internal) when the binary lacks it (a build bug).
[[nodiscard]] mail_template mail_template_builtin(std::string_view name, std::string_view language);

/// The template in force: the operator's replacement, else the built-in one.
[[nodiscard]] mail_template mail_template_in_force(const store::read_view& view, std::string_view name,
                                                   std::string_view language);

/// Throws bad_request, saying where, unless each part of `replacement` is a well-formed template
/// that uses only `kind`'s placeholders, and the subject is one non-empty line.
void mail_template_check(const mail_template_kind& kind, const mail_template& replacement);

/// A letter, filled in: its subject and text, and its HTML part as a whole document.
struct mail_letter {
  std::string subject;
  std::string text;
  std::string html;
};

/// Fills `chosen` with `values` (HTML-escaped in the HTML part). Throws refusal(internal) when a
/// placeholder has no value: the template was checked against its kind, so that is a bug.
[[nodiscard]] mail_letter mail_letter_render(const mail_template& chosen, const template_values& values,
                                             std::string_view language);

}  // namespace licensor::server
