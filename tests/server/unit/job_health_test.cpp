#include <doctest/doctest.h>

#include "core/job_health.hpp"

using licensor::server::job_health;

TEST_CASE("job health counts failures in a row, keeps the last error, and resets on success") {
  job_health health;
  CHECK(health.view().empty());
  CHECK(health.record("subscriptions", 100, "") == 0);
  CHECK(health.view().at("subscriptions").at("last_error").is_null());
  CHECK(health.record("subscriptions", 102, "lic_x: internal") == 1);
  CHECK(health.record("subscriptions", 104, "lic_x: internal") == 2);
  auto view = health.view().at("subscriptions");
  CHECK(view.at("consecutive_failures") == 2);
  CHECK(view.at("last_error") == "lic_x: internal");
  CHECK(view.at("last_run") == "1970-01-01T00:01:44Z");
  CHECK(health.record("subscriptions", 106, "") == 0);
  view = health.view().at("subscriptions");
  CHECK(view.at("consecutive_failures") == 0);
  CHECK(view.at("last_error") == "lic_x: internal");  // still there to read after a recovery
  CHECK(view.at("last_error_at") == "1970-01-01T00:01:44Z");
}
