// VAT number format check. EU numbers ("DE123456789", "FR XX 999999999", ...) are checked
// against each member state's format (VIES); the checksum is not verified and no registry is
// asked. Numbers of other countries are kept as given (normalised) but not checked.
#pragma once

#include <string>
#include <string_view>

#include "licensor/result.hpp"

namespace licensor::server::subscription {

/// The number upper-cased without spaces, dots and dashes, when its format is valid.
/// Errors: invalid_vat_number (empty, not two letters then 2..13 alphanumerics, or an EU
/// country prefix whose national format does not match; Greece uses "EL").
[[nodiscard]] result<std::string> vat_number_check(std::string_view text);

}  // namespace licensor::server::subscription
