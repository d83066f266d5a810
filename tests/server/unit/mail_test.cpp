// Mail's pure parts: the template language (values, sections, escaping, malformed templates),
// the message on the wire (headers that cannot be injected, encoded words, both parts), and
// every built-in template in every language: well formed, only its kind's values, renders.
#include <doctest/doctest.h>

#include <sodium.h>

#include "core/mail_templates.hpp"
#include "domain/mail_message.hpp"
#include "domain/text_template.hpp"

using namespace licensor::server;

TEST_CASE("placeholders and sections fill from values; HTML escapes values, not the template") {
  const template_values values{{"name", "Ana <b>&</b>"}, {"expires", ""}, {"key", "K-1"}};
  CHECK(*text_template_render("Hi {{name}}!", values, template_escaping::none) == "Hi Ana <b>&</b>!");
  CHECK(*text_template_render("<p>{{name}}</p>", values, template_escaping::html) == "<p>Ana &lt;b&gt;&amp;&lt;/b&gt;</p>");
  CHECK(*text_template_render("{{#expires}}until {{expires}}{{/expires}}{{^expires}}forever{{/expires}}", values,
                              template_escaping::none) == "forever");
  CHECK(*text_template_render("{{#key}}key {{key}}{{/key}}{{^key}}none{{/key}}", values, template_escaping::none) == "key K-1");
  // A value's own braces are never read as a template.
  CHECK(*text_template_render("{{name}}", {{"name", "{{key}}"}}, template_escaping::none) == "{{key}}");
}

TEST_CASE("malformed templates and missing values are refused") {
  const template_values values{{"a", "1"}};
  CHECK_FALSE(text_template_render("{{b}}", values, template_escaping::none));
  CHECK_FALSE(text_template_render("{{a", values, template_escaping::none));
  CHECK_FALSE(text_template_render("{{#a}}x", values, template_escaping::none));
  CHECK_FALSE(text_template_render("{{/a}}", values, template_escaping::none));
  CHECK_FALSE(text_template_render("{{#a}}{{^b}}{{/a}}{{/b}}", {{"a", "1"}, {"b", ""}}, template_escaping::none));
  CHECK_FALSE(text_template_render("{{}}", values, template_escaping::none));
  CHECK_FALSE(text_template_render("{{A B}}", values, template_escaping::none));
  CHECK(text_template_problem("{{#a}}x").find("never closed") != std::string::npos);
  CHECK(text_template_problem("ok {{a}}").empty());
  CHECK(*text_template_names("{{a}} {{#b}}{{c}}{{/b}}") == std::set<std::string>{"a", "b", "c"});
}

TEST_CASE("a message's headers hold one line each; non-ASCII goes in encoded words") {
  if (sodium_init() < 0) FAIL("libsodium");
  mail_message message{"licenses@vendor.example", "Vendor Ñ", "", "ana@example.com",
                       "Su licencia\r\nBcc: victim@example.com", "es", "texto á", "<p>html</p>", "evt_1.x@vendor.example", 0};
  const auto wire = mail_message_format(message);
  CHECK(wire.find("\r\nBcc:") == std::string::npos);  // the CR LF in the subject became spaces
  CHECK(wire.find("Subject: Su licencia  Bcc: victim@example.com\r\n") != std::string::npos);
  CHECK(wire.find("From: =?UTF-8?B?") == 0);
  CHECK(wire.find("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n") != std::string::npos);
  CHECK(wire.find("Content-Language: es\r\n") != std::string::npos);
  CHECK(wire.find("Content-Type: text/plain; charset=utf-8") != std::string::npos);
  CHECK(wire.find("Content-Type: text/html; charset=utf-8") != std::string::npos);

  // Long non-ASCII text: words of at most 75 characters, never splitting a character.
  std::string long_subject;
  for (int i = 0; i < 40; ++i) long_subject += "ñá";
  const auto encoded = mail_header_encode(long_subject);
  std::size_t words = 0;
  for (std::size_t at = 0; (at = encoded.find("=?UTF-8?B?", at)) != std::string::npos; ++at) {
    const auto end = encoded.find("?=", at + 10);
    REQUIRE(end != std::string::npos);
    CHECK(end + 2 - at <= 75);
    ++words;
  }
  CHECK(words > 1);
  CHECK(mail_header_encode("plain ascii") == "plain ascii");
}

TEST_CASE("every built-in template, in every language, is well formed and renders with its kind's values") {
  for (const auto& kind : mail_template_kinds()) {
    template_values values;
    for (const auto name : kind.values) values[std::string(name)] = "v-" + std::string(name);
    for (const auto language : mail_languages()) {
      CAPTURE(kind.name);
      CAPTURE(language);
      const auto builtin = mail_template_builtin(kind.name, language);
      CHECK_NOTHROW(mail_template_check(kind, builtin));
      const auto letter = mail_letter_render(builtin, values, language);
      CHECK_FALSE(letter.subject.empty());
      CHECK(letter.subject.find('\n') == std::string::npos);
      CHECK(letter.html.find("<html lang=\"" + std::string(language) + "\">") != std::string::npos);
      // The languages differ: no template is the English one copied.
      if (language != "en") CHECK(builtin.text != mail_template_builtin(kind.name, "en").text);
    }
  }
}
