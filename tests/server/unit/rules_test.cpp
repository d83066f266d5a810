// The partner rules as pure functions (server/domain/rules.hpp), at their boundaries.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "domain/rules.hpp"

using namespace licensor;
using namespace licensor::server;

namespace {

partner_record partner_at(std::string level, std::vector<std::string> domains = {"acme.com"}) {
  partner_record partner;
  partner.level = std::move(level);
  partner.email_domains = std::move(domains);
  partner.can_issue = true;
  return partner;
}

}  // namespace

TEST_CASE("each level's cap: the last free license within it is allowed, the next is refused") {
  const level_caps caps;
  for (const auto& level_cap : std::map<std::string, std::uint32_t>{
           {"bronze", 5}, {"silver", 25}, {"gold", 50}, {"platinum", 100}, {"titanium", 150}}) {
    const auto& [level, cap] = level_cap;
    CAPTURE(level_cap.first);  // not `level`: clang cannot capture a binding
    const auto partner = partner_at(level);
    CHECK(free_license_allowed({partner, "ann@example.com", false, cap - 1}, caps).ok());
    CHECK(free_license_allowed({partner, "ann@example.com", false, cap}, caps).error() == errc::partner_cap_reached);
  }
  CHECK(free_license_allowed({partner_at("unknown"), "ann@example.com", false, 0}, caps).error() == errc::partner_cap_reached);
}

TEST_CASE("free licenses: the partner's own domains and subdomains are refused, look-alikes are not") {
  const level_caps caps;
  const auto partner = partner_at("gold", {"acme.com"});
  CHECK(free_license_allowed({partner, "x@acme.com", false, 0}, caps).error() == errc::partner_domain_email);
  CHECK(free_license_allowed({partner, "x@sales.acme.com", false, 0}, caps).error() == errc::partner_domain_email);
  CHECK(free_license_allowed({partner, "x@evilacme.com", false, 0}, caps).ok());
  CHECK(free_license_allowed({partner, "x@acme.com.example", false, 0}, caps).ok());
}

TEST_CASE("one free license per customer and product comes before the cap") {
  const level_caps caps;
  const auto partner = partner_at("bronze");
  CHECK(free_license_allowed({partner, "ann@example.com", true, 0}, caps).error() == errc::free_license_exists);
}

TEST_CASE("a partner issues only once enabled") {
  auto partner = partner_at("gold");
  CHECK(license_issue_allowed(partner).ok());
  partner.can_issue = false;
  CHECK(license_issue_allowed(partner).error() == errc::partner_not_enabled);
}

TEST_CASE("status changes: suspend and reinstate toggle, revoke is final") {
  CHECK(*license_status_change(license_status::active, "suspend") == license_status::suspended);
  CHECK(license_status_change(license_status::suspended, "suspend").error() == errc::conflict);
  CHECK(*license_status_change(license_status::suspended, "reinstate") == license_status::active);
  CHECK(license_status_change(license_status::active, "reinstate").error() == errc::conflict);
  CHECK(*license_status_change(license_status::suspended, "revoke") == license_status::revoked);
  CHECK(license_status_change(license_status::revoked, "reinstate").error() == errc::license_revoked);
}

TEST_CASE("validate's answer for a license: exact expiry boundary with leeway") {
  license_record license;
  license.customer_id = "cus_1";
  license.issued_at = 1000;
  license.expires_at = 2000;
  CHECK(license_state_code(license, 2000 + 60, 60) == "valid");
  CHECK(license_state_code(license, 2000 + 61, 60) == "expired");
  CHECK(license_state_code(license, 1000 - 60, 60) == "valid");
  CHECK(license_state_code(license, 1000 - 61, 60) == "not_yet_valid");
  license.status = license_status::suspended;
  CHECK(license_state_code(license, 1500, 60) == "suspended");
  license.status = license_status::active;
  license.customer_id.clear();
  CHECK(license_state_code(license, 1500, 60) == "unlinked");
}

TEST_CASE("a token is handed out only while the license is in force") {
  license_record license;
  license.status = license_status::active;
  license.customer_id = "cus_1";
  CHECK(license_token_handout_allowed(license));
  for (const auto& [status, refused] : std::vector<std::pair<license_status, errc>>{
           {license_status::revoked, errc::license_revoked},
           {license_status::suspended, errc::license_suspended},
           {license_status::cancelled, errc::subscription_not_active},
           {license_status::expired, errc::subscription_not_active}}) {
    license.status = status;
    CHECK(license_token_handout_allowed(license).error() == refused);
  }
  license.status = license_status::active;
  license.customer_id.clear();
  CHECK(license_token_handout_allowed(license).error() == errc::license_unlinked);
}
