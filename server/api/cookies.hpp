// The cookies the server sets: a person's session (core/sessions.hpp) and their device
// (core/devices.hpp). Both are __Host- cookies: only over HTTPS, never to scripts, never on
// cross-site requests, for this host and path only (the prefix makes browsers enforce Secure,
// Path=/ and no Domain). Their values are secrets: never logged.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace licensor::server {

/// The cookie of a signed-in person's session.
inline constexpr std::string_view session_cookie_name = "__Host-licensor_session";
/// The cookie of a device its person signed in from.
inline constexpr std::string_view device_cookie_name = "__Host-licensor_device";

/// The value of cookie `name` in a Cookie header, or empty.
[[nodiscard]] std::string_view cookie_value(std::string_view cookie_header, std::string_view name);

/// A Set-Cookie value for `name` = `value` with the flags above; Max-Age 0 deletes it.
[[nodiscard]] std::string cookie_set(std::string_view name, std::string_view value, std::int64_t max_age);

}  // namespace licensor::server
