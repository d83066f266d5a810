// Devices a person has signed in from (OWASP's "device cookies", from its Blocking Brute Force
// Attacks guidance). A successful sign-in hands the browser a second cookie with a random
// secret; the user record keeps hash_hex of it. A sign-in that presents a known device of the
// account spends only that device's small budget of wrong passwords, not the account's, so
// guessing from elsewhere cannot lock the owner out on a device they have used before. The
// cookie is not a credential: the password (and TOTP) are still needed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/records.hpp"

namespace licensor::server {

/// How many devices a person's record remembers; the oldest is forgotten first.
inline constexpr std::size_t devices_remembered = 10;
/// How long the browser keeps a device cookie.
inline constexpr std::int64_t device_cookie_seconds = 400 * 86'400;  // browsers cap cookies at 400 days

/// True when `device_hash` is one of `user`'s devices.
[[nodiscard]] bool device_known(const user_record& user, std::string_view device_hash);

/// Adds `device_hash` as `user`'s newest device (moving it to the end when known), forgetting the
/// oldest beyond devices_remembered.
void device_remember(user_record& user, const std::string& device_hash);

}  // namespace licensor::server
