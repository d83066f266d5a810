#include "outbound/address_policy.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace licensor::server {
namespace {

struct ipv4_range {
  std::uint32_t network;
  int prefix;
};

// RFC 6890's special-purpose registry, less the ranges that are globally reachable.
constexpr std::array<ipv4_range, 15> ipv4_refused{{
    {0x00000000, 8},   // "this network"
    {0x0A000000, 8},   // private
    {0x64400000, 10},  // shared address space (CGNAT)
    {0x7F000000, 8},   // loopback
    {0xA9FE0000, 16},  // link-local (cloud metadata services live here)
    {0xAC100000, 12},  // private
    {0xC0000000, 24},  // IETF protocol assignments
    {0xC0000200, 24},  // documentation
    {0xC0A80000, 16},  // private
    {0xC6120000, 15},  // benchmarking
    {0xC6336400, 24},  // documentation
    {0xCB007100, 24},  // documentation
    {0xE0000000, 4},   // multicast
    {0xF0000000, 4},   // reserved, and the broadcast address
    {0xC0586300, 24},  // 6to4 relay anycast (deprecated)
}};

bool ipv4_host_order_public(std::uint32_t host) {
  for (const auto& range : ipv4_refused) {
    const std::uint32_t mask = range.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - range.prefix);
    if ((host & mask) == range.network) return false;
  }
  return true;
}

std::uint32_t ipv4_at(const unsigned char* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) | bytes[3];
}

}  // namespace

bool ipv4_public(const in_addr& address) {
  return ipv4_host_order_public(ipv4_at(reinterpret_cast<const unsigned char*>(&address.s_addr)));
}

bool ipv6_public(const in6_addr& address) {
  const unsigned char* b = address.s6_addr;
  constexpr unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  constexpr unsigned char nat64_prefix[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, mapped_prefix, 12) == 0 || std::memcmp(b, nat64_prefix, 12) == 0)
    return ipv4_host_order_public(ipv4_at(b + 12));
  bool zero_to_14 = true;
  for (int i = 0; i < 15; ++i) zero_to_14 = zero_to_14 && b[i] == 0;
  if (zero_to_14 && (b[15] == 0 || b[15] == 1)) return false;  // unspecified, loopback
  if ((b[0] & 0xfe) == 0xfc) return false;                     // unique local fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;     // link-local fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return false;     // site-local fec0::/10 (deprecated)
  if (b[0] == 0xff) return false;                              // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false;  // documentation
  if (b[0] == 0x01 && b[1] == 0x00 && std::memcmp(b + 2, "\0\0\0\0\0\0", 6) == 0) return false;  // discard-only 100::/64
  if (b[0] == 0x20 && b[1] == 0x02) return ipv4_host_order_public(ipv4_at(b + 2));  // 6to4 embeds an IPv4 address
  return true;
}

}  // namespace licensor::server
