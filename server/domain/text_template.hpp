// A small template language for the letters Licensor writes (mail, the delivery letter):
// {{name}} inserts a value; {{#name}}…{{/name}} is kept only when the value is not empty, and
// {{^name}}…{{/name}} only when it is. Nothing else: no loops, no expressions, no partials, so
// an operator's replacement template cannot do more than choose words.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "licensor/result.hpp"

namespace licensor::server {

using template_values = std::map<std::string, std::string, std::less<>>;

enum class template_escaping { none, html };

/// `text` with its placeholders filled from `values`; with template_escaping::html, values are
/// HTML-escaped (the template's own text is not). Errors: bad_request for a malformed template
/// (an unclosed placeholder or section, a section closed out of order, an empty name) or a
/// name with no value.
[[nodiscard]] result<std::string> text_template_render(std::string_view text, const template_values& values,
                                                       template_escaping escaping);

/// The names `text` uses, placeholders and sections alike. Errors: bad_request for a malformed
/// template, with the problem in the message of text_template_problem.
[[nodiscard]] result<std::set<std::string>> text_template_names(std::string_view text);

/// Why `text` is malformed, or empty when it is not.
[[nodiscard]] std::string text_template_problem(std::string_view text);

/// `text` with & < > " ' replaced by their HTML character references.
[[nodiscard]] std::string html_escape(std::string_view text);

}  // namespace licensor::server
