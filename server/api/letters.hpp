// Letters to people, from templates kept as text files (api/templates/, compiled into the
// binary), so that the API, the portal and e-mail send the same words. A template's first line
// is "Subject: ...", then a blank line, then the body; {{name}} is replaced by a value.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "domain/records.hpp"

namespace licensor::server {

struct letter {
  std::string subject;
  std::string body;
};

/// Fills `text`'s {{name}} placeholders from `values`. Throws refusal(internal) for a name with
/// no value or a template without its subject line: a template bug, never the caller's input.
[[nodiscard]] letter letter_render(std::string_view text, const std::map<std::string, std::string, std::less<>>& values);

/// The letter that delivers a license to its customer: how to install and activate, the
/// activation key, and the token for offline machines.
[[nodiscard]] letter delivery_letter(const license_record& license, const product_record& product);

}  // namespace licensor::server
