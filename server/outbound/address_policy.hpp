// Which addresses an outbound request may reach. Webhook URLs are typed in by partners, so by
// default a delivery must not reach the vendor's own network: loopback, private, link-local,
// shared (CGNAT), multicast, reserved and unspecified addresses are refused, in IPv4 and IPv6
// (including IPv4 mapped into IPv6 and NAT64). The check runs on the addresses DNS answered,
// at every delivery, and the connection goes to exactly those addresses (http_client.hpp).
#pragma once

#include <netinet/in.h>

namespace licensor::server {

/// True when `address` is a public unicast IPv4 address (network byte order).
[[nodiscard]] bool ipv4_public(const in_addr& address);

/// True when `address` is a public unicast IPv6 address, judging an embedded IPv4 address
/// (::ffff:a.b.c.d, 64:ff9b::a.b.c.d) as IPv4.
[[nodiscard]] bool ipv6_public(const in6_addr& address);

}  // namespace licensor::server
