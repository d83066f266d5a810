// Customer emails: normalised (trimmed, lower-cased) before they are stored, compared or
// signed into a token, so " Ann@Example.COM " and "ann@example.com" are one customer.
#pragma once

#include <string>
#include <string_view>

#include "licensor/result.hpp"

namespace licensor {

/// Trims ASCII white space and lower-cases. Errors: invalid_email when the result is not a
/// plausible address (one '@', a non-empty local part of printable ASCII, a dotted domain of
/// letters, digits and inner hyphens, at most 254 characters).
[[nodiscard]] result<std::string> email_normalise(std::string_view raw);

/// The part after '@' of a normalised email.
[[nodiscard]] std::string_view email_domain(std::string_view normalised_email);

/// True when `domain` is `owner_domain` or one of its subdomains (case-insensitive,
/// whole labels only: "evilexample.com" is not under "example.com").
[[nodiscard]] bool domain_within(std::string_view domain, std::string_view owner_domain);

}  // namespace licensor
