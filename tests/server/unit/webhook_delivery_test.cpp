// The rules of webhook delivery (domain/webhook_delivery) and the outbound address policy
// (outbound/address_policy): what an answer means, the retry schedule, Retry-After, which
// types an endpoint wants, which addresses a delivery may reach, and the body it sends.
#include <doctest/doctest.h>

#include <arpa/inet.h>

#include <string>
#include <vector>

#include "core/events.hpp"
#include "domain/webhook_delivery.hpp"
#include "outbound/address_policy.hpp"

using namespace licensor::server;

namespace {

bool v4_public(const char* text) {
  in_addr address{};
  REQUIRE(inet_pton(AF_INET, text, &address) == 1);
  return ipv4_public(address);
}

bool v6_public(const char* text) {
  in6_addr address{};
  REQUIRE(inet_pton(AF_INET6, text, &address) == 1);
  return ipv6_public(address);
}

}  // namespace

TEST_CASE("an answer's verdict: 2xx delivered, 410 gone, everything else retried") {
  CHECK(attempt_verdict_of(200) == attempt_verdict::delivered);
  CHECK(attempt_verdict_of(204) == attempt_verdict::delivered);
  CHECK(attempt_verdict_of(299) == attempt_verdict::delivered);
  CHECK(attempt_verdict_of(410) == attempt_verdict::gone);
  for (const int status : {0, 199, 301, 302, 400, 404, 429, 500, 503}) {
    CAPTURE(status);
    CHECK(attempt_verdict_of(status) == attempt_verdict::retry);
  }
}

TEST_CASE("the retry schedule spans more than 72 hours whatever the jitter, which stretches by up to 20%") {
  std::int64_t shortest = 0, longest = 0;
  for (std::uint32_t attempts = 1; attempts < delivery_attempts_max(); ++attempts) {
    shortest += retry_delay_seconds(attempts, 0.0);
    longest += retry_delay_seconds(attempts, 0.9999);
  }
  CHECK(shortest == 272'105);  // 75.6 hours
  CHECK(shortest > 72 * 3600);
  CHECK(longest < shortest * 6 / 5 + 1);
  CHECK(retry_delay_seconds(1, 0.0) == 5);
  CHECK(retry_delay_seconds(1, 0.5) == 5);
  CHECK(retry_delay_seconds(2, 0.5) == 330);
  CHECK(retry_delay_seconds(9, 0.0) == 86'400);
  CHECK(retry_delay_seconds(delivery_attempts_max(), 0.5) == -1);  // the last attempt failed: dead
  CHECK(retry_delay_seconds(0, 0.5) == -1);
  CHECK(delivery_attempts_max() == 10);
}

TEST_CASE("Retry-After: delay-seconds or an HTTP date, capped at a day; anything else ignored") {
  const std::int64_t now = 784'111'777;  // Sun, 06 Nov 1994 08:49:37 GMT
  CHECK(retry_after_seconds("120", now) == 120);
  CHECK(retry_after_seconds(" 0 ", now) == 0);
  CHECK(retry_after_seconds("999999", now) == 86'400);
  CHECK(retry_after_seconds("Sun, 06 Nov 1994 08:50:37 GMT", now) == 60);
  CHECK(retry_after_seconds("Sun, 06 Nov 1994 08:40:37 GMT", now) == 0);  // in the past: now
  CHECK(retry_after_seconds("", now) == -1);
  CHECK(retry_after_seconds("-5", now) == -1);
  CHECK(retry_after_seconds("soon", now) == -1);
  CHECK(retry_after_seconds("12abc", now) == -1);
}

TEST_CASE("an endpoint wants exact types, families, or everything when it names none") {
  const std::vector<std::string> none;
  const std::vector<std::string> some{"license.issued", "webhook.*"};
  CHECK(event_type_wanted(none, "license.revoked"));
  CHECK(event_type_wanted(some, "license.issued"));
  CHECK_FALSE(event_type_wanted(some, "license.revoked"));
  CHECK(event_type_wanted(some, "webhook.test"));
  CHECK_FALSE(event_type_wanted(some, "webhooks.test"));
  CHECK_FALSE(event_type_wanted(some, "license.issued.more"));
}

TEST_CASE("addresses a delivery may not reach by default: loopback, private, link-local, reserved, in v4 and v6") {
  for (const char* refused : {"127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                              "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "192.0.2.10",
                              "198.18.0.1", "240.0.0.1"}) {
    CAPTURE(refused);
    CHECK_FALSE(v4_public(refused));
  }
  for (const char* allowed : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "93.184.216.34", "172.15.255.255"}) {
    CAPTURE(allowed);
    CHECK(v4_public(allowed));
  }
  for (const char* refused : {"::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1",
                              "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "2001:db8::1", "2002:7f00:1::1", "fec0::1"}) {
    CAPTURE(refused);
    CHECK_FALSE(v6_public(refused));
  }
  for (const char* allowed : {"2606:4700:4700::1111", "2001:4860:4860::8888", "::ffff:8.8.8.8", "2002:0808:0808::1"}) {
    CAPTURE(allowed);
    CHECK(v6_public(allowed));
  }
}

TEST_CASE("the body sent is the documented envelope, byte for byte, with or without a partner") {
  licensor::store::outbox_event event;
  event.seq = 42;
  event.id = "evt_0123";
  event.type = "license.issued";
  event.occurred_at = 1'795'000'000;
  event.subject = "license:lic_1";
  event.data = nlohmann::json{{"id", "lic_1"}, {"seats", 3}, {"features", {"a", "b"}}, {"note", "caf\u00e9 \"quoted\""}, {"customer", {{"email", "x@example.com"}}}}.dump();
  CHECK(event_envelope_text(event) == event_envelope(event).dump());
  event.partner_id = "par_1";
  event.data = "{}";
  CHECK(event_envelope_text(event) == event_envelope(event).dump());
  CHECK(nlohmann::json::parse(event_envelope_text(event)).at("partner_id") == "par_1");
}
