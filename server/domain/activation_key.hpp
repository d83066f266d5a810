// Activation keys: what a person types to activate. 80 random bits in Crockford base32
// (no I, L, O, U), four groups of four plus a mod-37 check character, e.g.
// "7K3M-QX2D-9RTV-B4HN-Z". An identifier, not a signature: it is exchanged online, with the
// customer's email, for the signed token.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace licensor::server {

[[nodiscard]] std::string activation_key_generate();
/// Canonical form for lookups: upper-case, separators dropped, I/L read as 1 and O as 0, check
/// character verified and removed. nullopt when the key cannot be one of ours.
[[nodiscard]] std::optional<std::string> activation_key_canonical(std::string_view typed);

}  // namespace licensor::server
