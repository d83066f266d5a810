// The compliance sweep over a real LMDB store (core/compliance.hpp), for what the API cannot
// make: two free licenses of one customer and product from before the rule (a store written by
// an earlier programme). The later one is flagged "more_than_one_free", the first is not, a
// paid license is not looked at, and only the flagged license asks for a new token.
#include <doctest/doctest.h>

#include <filesystem>

#include <unistd.h>

#include "core/compliance.hpp"
#include "store/lmdb/lmdb_views.hpp"
#include "store/lmdb/schema.hpp"

using namespace licensor;
using namespace licensor::server;

namespace {

struct scratch_dir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("licensor-compliance-test-" + std::to_string(::getpid()));
  scratch_dir() { std::filesystem::create_directories(path); }
  ~scratch_dir() { std::filesystem::remove_all(path); }
};

license_record free_license(std::string id, std::int64_t issued_at, const customer_record& customer) {
  license_record license;
  license.id = std::move(id);
  license.partner_id = customer.partner_id;
  license.customer_id = customer.id;
  license.email = customer.email;
  license.product = "editor";
  license.tier = "standard";
  license.kind = license_kind::free;
  license.activation_key = "KEY-" + license.id;
  license.token = "legacy-token-" + license.id;
  license.kid = "k4.pid.legacy";
  license.issued_at = issued_at;
  license.updated_at = issued_at;
  return license;
}

}  // namespace

TEST_CASE("two free licenses of one customer from before the rule: the later one is flagged, the first is not") {
  scratch_dir dir;
  auto env = store::store_open(dir.path, {std::size_t{1} << 30, false});
  REQUIRE(env.ok());
  constexpr std::int64_t now = 1'800'000'000;

  partner_record partner;
  partner.id = "par_legacy";
  partner.can_issue = true;
  customer_record customer;
  customer.id = "cus_1";
  customer.partner_id = partner.id;
  customer.email = "ann@customer.example";
  customer.name = "Ann";
  customer.created_at = now - 1000;
  product_record product;
  product.id = "editor";
  product.tiers = {"standard"};
  auto first = free_license("lic_first", now - 900, customer);
  auto second = free_license("lic_second", now - 800, customer);
  auto paid = free_license("lic_paid", now - 700, customer);
  paid.kind = license_kind::paid;
  {
    auto write = (*env)->begin_write();
    REQUIRE(write.ok());
    store::lmdb_view view(*write);
    REQUIRE(view.partner_put(partner).ok());
    REQUIRE(view.product_insert(product).ok());
    REQUIRE(view.customer_insert(customer).ok());
    for (const auto& license : {first, second, paid}) REQUIRE(view.license_insert(license).ok());
    REQUIRE(write->commit().ok());
  }

  auto signer = std::make_shared<keys::signer_state>();
  signer->active_key = SecretKey::generate();
  signer->active_kid = KeyId{"k4.pid.test"};
  const signing with{signer, "licensor-test"};
  auto write = (*env)->begin_write();
  REQUIRE(write.ok());
  store::lmdb_view view(*write);
  // A store's first sweep waits an interval unless an operator asks for it.
  CHECK(compliance_sweep_batch(view, {}, {{}, 60}, with, now, 256).changed == 0);
  CHECK(view.compliance_sweep_get().value().first_pass_at == now);
  CHECK(view.compliance_sweep_get().value().started_at == 0);
  compliance_sweep_request(view, caller_named(caller_kind::operator_, "test"), now);
  const auto done = compliance_sweep_batch(view, {}, {{}, 60}, with, now, 256);
  CHECK_FALSE(done.running);
  CHECK(done.changed == 1);

  const auto later = view.license_get("lic_second").value();
  REQUIRE(later.has_value());
  CHECK(later->compliance.rules == std::vector<std::string>{"more_than_one_free"});
  CHECK(later->compliance.since == now);
  CHECK(later->compliance.deadline == now + 30 * 86'400);
  CHECK_FALSE(view.license_get("lic_first").value()->compliance.flagged());
  CHECK_FALSE(view.license_get("lic_paid").value()->compliance.flagged());

  const auto state = view.compliance_sweep_get().value();
  CHECK_FALSE(state.running);
  CHECK(state.last.checked == 2);
  CHECK(state.last.flagged == 1);
  CHECK(state.next_check_at == now + 23 * 86'400);  // its warning, 7 days before the deadline
  // Only the flagged license asked for a token (with the notice): the job is re-run once it is signed.
  CHECK(with.presigned->has_missing());
  CHECK(with.presigned->presign(*signer) == 1);
}
