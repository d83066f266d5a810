// Identifiers of new records.
#pragma once

#include <string>
#include <string_view>

namespace licensor::server {

/// A random id with a type prefix, e.g. "lic_5kq2…" (100 random bits in Crockford-like base32).
[[nodiscard]] std::string id_generate(std::string_view prefix);

}  // namespace licensor::server
