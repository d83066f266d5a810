// The programme's registration rules as the compliance sweep checks them
// (server/domain/compliance.hpp): each rule alone, at its boundaries, and together.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "domain/compliance.hpp"
#include "domain/rules.hpp"

using namespace licensor;
using namespace licensor::server;

namespace {

constexpr std::int64_t now = 1'800'000'000;

struct world {
  partner_record partner;
  customer_record customer;
  product_record product;
  license_record license;
  world() {
    partner.id = "par_1";
    partner.email_domains = {"partner.example"};
    customer.id = "cus_1";
    customer.partner_id = partner.id;
    customer.email = "ann@customer.example";
    customer.name = "Ann";
    product.id = "editor";
    product.tiers = {"standard"};
    license.id = "lic_1";
    license.partner_id = partner.id;
    license.customer_id = customer.id;
    license.email = customer.email;
    license.product = product.id;
    license.kind = license_kind::free;
  }
  [[nodiscard]] std::vector<std::string> broken(bool earlier_free = false, bool linked = true) const {
    return compliance_rules_broken({license, linked ? &customer : nullptr, partner, &product, earlier_free, now});
  }
};

using rules = std::vector<std::string>;

}  // namespace

TEST_CASE("a correctly registered free license breaks no rule") {
  const world w;
  CHECK(w.broken().empty());
}

TEST_CASE("the customer must exist and have a name") {
  world w;
  CHECK(w.broken(false, /*linked=*/false) == rules{"customer_missing"});
  w.customer.name = "";
  CHECK(w.broken() == rules{"customer_name_missing"});
  w.customer.name = "  \t";
  CHECK(w.broken() == rules{"customer_name_missing"});
  w.customer.name = "A";
  CHECK(w.broken().empty());
}

TEST_CASE("the license's email must be its customer's") {
  world w;
  w.license.email = "someone@customer.example";
  CHECK(w.broken() == rules{"email_not_customer"});
}

TEST_CASE("the email must not be in the partner's domains, as they are now, subdomains included") {
  world w;
  w.partner.email_domains.push_back("customer.example");  // added after the license was issued
  CHECK(w.broken() == rules{"email_in_partner_domain"});
  w.partner.email_domains = {"example"};
  CHECK(w.broken() == rules{"email_in_partner_domain"});
  w.partner.email_domains = {"other-customer.example"};
  CHECK(w.broken().empty());
}

TEST_CASE("only the first of a customer's free licenses of a product keeps its place") {
  const world w;
  CHECK(w.broken(/*earlier_free=*/true) == rules{"more_than_one_free"});
}

TEST_CASE("the minimum app version counts only from its effective date, by the version last seen") {
  world w;
  w.product.min_version = {{"free", "20"}};
  w.license.app_version_seen = "19.9";
  CHECK(w.broken().empty());  // no effective date: the minimum applies to new licenses only
  w.product.min_version_from = {{"free", now + 1}};
  CHECK(w.broken().empty());  // not yet
  w.product.min_version_from = {{"free", now}};
  CHECK(w.broken() == rules{"app_version_below_minimum"});
  w.license.app_version_seen = "20";
  CHECK(w.broken().empty());
  w.license.app_version_seen = "20.0.1";
  CHECK(w.broken().empty());
  w.license.app_version_seen = "";  // never seen: not shown to meet it
  CHECK(w.broken() == rules{"app_version_below_minimum"});
  w.product.min_version_from = {{"paid", now}};  // another kind's date
  CHECK(w.broken().empty());
}

TEST_CASE("several broken rules come sorted; only active or suspended free licenses are checked") {
  world w;
  w.customer.name = "";
  w.partner.email_domains.push_back("customer.example");
  CHECK(w.broken(true) == rules{"customer_name_missing", "email_in_partner_domain", "more_than_one_free"});

  CHECK(compliance_applies(w.license));
  w.license.status = license_status::suspended;
  CHECK(compliance_applies(w.license));
  for (const auto status : {license_status::revoked, license_status::expired, license_status::cancelled}) {
    w.license.status = status;
    CHECK_FALSE(compliance_applies(w.license));
  }
  w.license.status = license_status::active;
  for (const auto kind : {license_kind::paid, license_kind::trial}) {
    w.license.kind = kind;
    CHECK_FALSE(compliance_applies(w.license));
  }
}

TEST_CASE("a license past its compliance deadline validates as expired, before it as valid") {
  world w;
  w.license.issued_at = now - 100;
  w.license.compliance = {{"customer_name_missing"}, now - 50, now, false};
  CHECK(license_state_code(w.license, now, 60) == "valid");
  CHECK(license_state_code(w.license, now + 60, 60) == "valid");
  CHECK(license_state_code(w.license, now + 61, 60) == "expired");
  w.license.compliance = {};
  CHECK(license_state_code(w.license, now + 61, 60) == "valid");
}
