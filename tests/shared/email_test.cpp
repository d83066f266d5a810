#include <doctest/doctest.h>

#include "licensor/app_version.hpp"
#include "licensor/email.hpp"

using namespace licensor;

TEST_CASE("emails are trimmed and lower-cased") {
  CHECK(*email_normalise("  Ann@Example.COM \t") == "ann@example.com");
  CHECK(*email_normalise("a.b+tag@sub.example.co.uk") == "a.b+tag@sub.example.co.uk");
}

TEST_CASE("malformed emails are refused") {
  for (const char* bad : {"", "ann", "ann@", "@example.com", "ann@example", "ann@@example.com",
                          "a@b@example.com", "ann@-example.com", "ann@example-.com", "ann@exa mple.com",
                          ".ann@example.com", "an..n@example.com", "ann@example..com", "ann\"@example.com"}) {
    CAPTURE(bad);
    CHECK(email_normalise(bad).error() == errc::invalid_email);
  }
  CHECK(email_normalise(std::string(65, 'a') + "@example.com").error() == errc::invalid_email);
}

TEST_CASE("domain_within matches the domain and its subdomains, whole labels only") {
  CHECK(domain_within("example.com", "example.com"));
  CHECK(domain_within("sales.example.com", "example.com"));
  CHECK(domain_within("a.b.EXAMPLE.com", "example.COM"));
  CHECK_FALSE(domain_within("evilexample.com", "example.com"));
  CHECK_FALSE(domain_within("example.com.evil.net", "example.com"));
  CHECK_FALSE(domain_within("example.com", ""));
  CHECK(email_domain("ann@sales.example.com") == "sales.example.com");
}

TEST_CASE("app versions compare numerically, missing parts as zero") {
  CHECK(*app_version_compare("20", "20.0.0") == 0);
  CHECK(*app_version_compare("19.9", "20") < 0);
  CHECK(*app_version_compare("20.10", "20.9") > 0);
  CHECK(*app_version_compare("3", "20") < 0);
  for (const char* bad : {"", "1.", ".1", "1..2", "a", "1.x", "1234567890"}) {
    CAPTURE(bad);
    CHECK(app_version_compare(bad, "1").error() == errc::malformed);
  }
}
