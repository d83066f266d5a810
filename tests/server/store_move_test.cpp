// Moving a store (licensord move-store, core/store_move.hpp): an LMDB store with partners,
// customers, free and paid licenses, a subscription with its ledger and members, a deleted free
// license's cap hold and an Idempotency-Key's answer moves into PostgreSQL, then back into a new
// LMDB store. On each, every license validates as it did, every listing, ledger and audit entry
// is the same, the counters equal their recounts, and the rules go on from where they were.
// Runs when the suite runs on LMDB (the move's other side is PostgreSQL whatever the setting).
#include <sys/stat.h>

#include <filesystem>

#include "server_test.hpp"
#include "support/command_output.hpp"

using namespace licensor::testing;
using nlohmann::json;

namespace {

// What a store shows through the API, to compare before and after a move.
struct shown {
  std::vector<json> partners, customers, licenses, validations, ledger, members, audit;
  std::uint32_t bronze_free_used = 0;
};

struct sellers {
  std::string product;
  partner_account bronze;
  partner_account gold;
  std::string subscription;
  std::string idempotency_key;
  std::string paid_customer;     ///< of the license issued under the Idempotency-Key
  std::string replayed_license;
};

// A listing's items: every page of a paged one, the one answer of one that is not.
std::vector<json> items_of(https_client& client, const std::string& path) {
  auto first = client.get(path);
  expect_status(first, 200, path);
  if (first.json.contains("next")) return listing_all(client, path);
  return first.json.at("items").get<std::vector<json>>();
}

shown shown_by(const licensord_process& server, const sellers& s, std::size_t audit_entries) {
  auto as_operator = server.operator_client();
  shown out;
  out.partners = items_of(as_operator, "/v1/partners");
  out.customers = items_of(as_operator, "/v1/customers");
  out.licenses = items_of(as_operator, "/v1/licenses");
  auto anyone = server.client();
  for (const auto& license : out.licenses) {
    auto token = as_operator.get("/v1/licenses/" + license.at("id").get<std::string>() + "/token");
    if (token.status != 200) {  // a deleted or revoked license has none to give
      out.validations.push_back(token.json.value("error", json()));
      continue;
    }
    auto answer = anyone.post("/v1/validate", {{"token", token.json.at("token")}});
    REQUIRE(answer.status == 200);
    out.validations.push_back(answer.json);
  }
  out.ledger = items_of(as_operator, "/v1/licenses/" + s.subscription + "/ledger");
  out.members = items_of(as_operator, "/v1/licenses/" + s.subscription + "/members");
  out.audit = audit_all(as_operator);
  // A server's start writes to the log (its operator token): only what the moved store held counts.
  if (out.audit.size() > audit_entries) out.audit.resize(audit_entries);
  auto as_bronze = server.client(s.bronze.api_key);
  out.bronze_free_used = free_used(as_bronze);
  return out;
}

void same(const shown& moved, const shown& before) {
  CHECK(moved.partners == before.partners);
  CHECK(moved.customers == before.customers);
  CHECK(moved.licenses == before.licenses);
  CHECK(moved.validations == before.validations);
  CHECK(moved.ledger == before.ledger);
  CHECK(moved.members == before.members);
  CHECK(moved.audit == before.audit);
  CHECK(moved.bronze_free_used == before.bronze_free_used);
}

sellers sell(const licensord_process& server) {
  auto as_operator = server.operator_client();
  sellers s;
  s.product = "move-" + unique_suffix();
  expect_status(as_operator.post("/v1/products", {{"id", s.product}, {"tiers", {"basic", "pro"}},
                                                  {"prices", {{"basic", price}, {"pro", price}}}}),
                201, "product");
  s.bronze = partner_create(as_operator, partner_spec().with_level("bronze"));
  s.gold = partner_create(as_operator, partner_spec().with_level("gold"));
  auto as_bronze = server.client(s.bronze.api_key);
  std::vector<std::string> free_licenses;
  for (int i = 0; i < 6; ++i) {
    const auto customer = customer_fresh(as_bronze, "free")["id"].get<std::string>();
    auto issued = license_issue_try(as_bronze, {customer, s.product});
    if (i < 5) {
      REQUIRE(issued.status == 201);
      free_licenses.push_back(issued.json.at("id").get<std::string>());
    } else {
      CHECK_ERROR(issued, 422, "partner_cap_reached");
    }
  }
  // A deleted free license keeps its place under the cap for a while (a cap hold).
  expect_status(as_bronze.request("DELETE", "/v1/licenses/" + free_licenses.back()), 200, "delete");
  expect_status(as_bronze.post("/v1/licenses/" + free_licenses.front() + "/suspend", json::object()), 200, "suspend");

  auto as_gold = server.client(s.gold.api_key);
  const auto customer = customer_fresh(as_gold, "paid")["id"].get<std::string>();
  s.idempotency_key = "move-" + unique_suffix();
  s.paid_customer = customer;
  auto paid = license_issue_try(as_gold, {customer, s.product, "paid"}, {{"Idempotency-Key", s.idempotency_key}});
  REQUIRE(paid.status == 201);
  s.replayed_license = paid.json.at("id").get<std::string>();
  auto subscribed = as_gold.post("/v1/subscriptions", {{"customer_id", customer},
                                                      {"product", s.product},
                                                      {"tier", "basic"},
                                                      {"term", "monthly"},
                                                      {"seats", 3}});
  REQUIRE(subscribed.status == 201);
  s.subscription = subscribed.json.at("id").get<std::string>();
  expect_status(as_gold.post("/v1/licenses/" + s.subscription + "/seats", {{"seats", 5}}), 200, "seats");
  expect_status(as_gold.post("/v1/licenses/" + s.subscription + "/members", {{"email", "ann@example.com"}}), 201, "member");
  return s;
}

std::string move_store_command(const std::string& args) {
  return std::string(LICENSOR_BINARY_DIR) + "/server/licensord move-store " + args + " 2>&1";
}

// Runs licensord move-store with `args`; returns what it printed, failing the test on an exit other than 0.
std::string move_store(const std::string& args) {
  std::string printed;
  REQUIRE_NOTHROW(printed = command_output(move_store_command(args)));
  return printed;
}

// Runs licensord move-store with `args` expecting it to fail; returns what it printed.
std::string move_store_refused(const std::string& args) {
  try {
    const auto printed = command_output(move_store_command(args));
    FAIL("move-store succeeded: " << printed);
    return printed;
  } catch (const std::runtime_error& failed) {
    return failed.what();
  }
}

}  // namespace

TEST_CASE("a store moves from LMDB into PostgreSQL and back: licenses validate the same, counters equal recounts, rules go on") {
  if (test_store_is_postgresql()) return;  // the move starts from LMDB
  licensord_process lmdb_server;
  const auto s = sell(lmdb_server);
  const auto keys = (lmdb_server.data_dir() / "keys").string();
  auto lmdb_operator = lmdb_server.operator_client();
  auto audit_held = audit_all(lmdb_operator).size();
  const auto before = shown_by(lmdb_server, s, audit_held);
  REQUIRE(lmdb_server.stop() == 0);

  // LMDB -> PostgreSQL.
  const auto database = pg_test_database("move-" + unique_suffix());
  const auto printed = move_store("'" + database + "' --data-dir " + lmdb_server.data_dir().string() + " --key-dir " + keys);
  INFO(printed);
  CHECK(printed.find("every counter of the target equals its recount") != std::string::npos);
  CHECK(printed.find("DIFFERS") == std::string::npos);
  // A second move into the same database is refused: it holds records now. So are a password
  // on the command line and a database that cannot be reached.
  const auto source = " --data-dir " + lmdb_server.data_dir().string();
  CHECK(move_store_refused("'" + database + "'" + source).find("holds records already") != std::string::npos);
  CHECK(move_store_refused("'postgresql://licensor:secret@127.0.0.1:1/licensor'" + source).find("password") !=
        std::string::npos);
  CHECK(move_store_refused("'postgresql://127.0.0.1:1/licensor?connect_timeout=2'" + source).find("PostgreSQL store") !=
        std::string::npos);

  licensord_process pg_server({"--store", database, "--key-dir", keys});
  same(shown_by(pg_server, s, audit_held), before);

  // The rules go on from the moved state: the cap still counts the hold, an Idempotency-Key
  // answers as before, new entries number on.
  auto as_bronze = pg_server.client(s.bronze.api_key);
  const auto customer = customer_fresh(as_bronze, "after")["id"].get<std::string>();
  CHECK_ERROR(license_issue_try(as_bronze, {customer, s.product}), 422, "partner_cap_reached");
  auto as_gold = pg_server.client(s.gold.api_key);
  const auto gold_customer = customer_fresh(as_gold, "after")["id"].get<std::string>();
  auto replay = license_issue_try(as_gold, {s.paid_customer, s.product, "paid"}, {{"Idempotency-Key", s.idempotency_key}});
  CHECK(replay.status == 201);
  CHECK(replay.json.value("id", "") == s.replayed_license);
  const auto issued = license_issue(as_gold, {gold_customer, s.product, "paid"});
  auto as_operator = pg_server.operator_client();
  const auto audit_after = audit_all(as_operator);
  for (std::size_t i = 1; i < audit_after.size(); ++i)
    CHECK(audit_after[i].at("seq").get<std::uint64_t>() == audit_after[i - 1].at("seq").get<std::uint64_t>() + 1);
  audit_held = audit_after.size();
  const auto on_postgresql = shown_by(pg_server, s, audit_held);
  CHECK(on_postgresql.licenses.size() == before.licenses.size() + 1);
  REQUIRE(pg_server.stop() == 0);

  // PostgreSQL -> a new LMDB data dir.
  const auto moved_dir = std::filesystem::temp_directory_path() / ("licensor-moved-" + unique_suffix());
  REQUIRE(::mkdir(moved_dir.c_str(), 0700) == 0);
  struct remove_at_end {
    std::filesystem::path dir;
    ~remove_at_end() { std::filesystem::remove_all(dir); }
  } cleanup{moved_dir};
  const auto back = move_store(moved_dir.string() + " --store '" + database + "' --data-dir " +
                               pg_server.data_dir().string() + " --key-dir " + keys);
  INFO(back);
  CHECK(back.find("every counter of the target equals its recount") != std::string::npos);
  licensord_process lmdb_again({"--data-dir", moved_dir.string(), "--key-dir", keys});
  same(shown_by(lmdb_again, s, audit_held), on_postgresql);
  auto on_lmdb = lmdb_again.client(s.gold.api_key);
  CHECK(on_lmdb.get("/v1/licenses/" + issued.at("id").get<std::string>()).status == 200);
}
