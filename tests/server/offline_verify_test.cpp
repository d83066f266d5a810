// The server's tokens are ordinary offline licenses: they verify with the verifier library and
// with `licensorctl keys verify`, given only the pinned root and the keyring from
// GET /v1/keyring. And a rotation made with licensorctl while the server runs is picked up
// without a restart.
#include <cstdio>
#include <fstream>
#include <thread>

#include "licensor/verifier.hpp"
#include "server_test.hpp"

using namespace licensor::testing;

namespace {

std::string file_read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

// Runs a command and returns its exit status.
int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const std::string licensorctl = std::string(LICENSOR_BINARY_DIR) + "/keys/licensorctl";

}  // namespace

TEST_CASE("a license from the API verifies offline with the verifier library and licensorctl") {
  licensord_process server;
  auto as_operator = server.operator_client();
  auto anyone = server.client();
  const auto product = product_create(as_operator, "editor");
  const auto partner = partner_create(as_operator);
  auto as_partner = server.client(partner.api_key);
  const auto customer = customer_fresh(as_partner);
  const auto license = license_issue(as_partner, {customer["id"].get<std::string>(), product, "paid"});
  const auto token = license["token"].get<std::string>();
  const auto keyring = anyone.get("/v1/keyring");
  REQUIRE(keyring.status == 200);
  const auto root = file_read(server.data_dir() / "keys" / "root.public");

  // The library, as an app embeds it.
  auto pinned = licensor::pinned_root_parse(root);
  REQUIRE(pinned.ok());
  licensor::license_verifier verifier({*pinned});
  std::uint64_t highest_seen = 0;
  REQUIRE(verifier.load_keyring(keyring.json["token"].get<std::string>(), highest_seen) == licensor::verify_status::valid);
  licensor::verify_context context;
  context.now = std::time(nullptr);
  context.product = product;
  context.expected_email = customer["email"].get<std::string>();
  licensor::unix_seconds last_trusted = 0;
  const auto outcome = verifier.verify(token, context, last_trusted);
  CHECK(outcome.status == licensor::verify_status::valid);
  CHECK(outcome.claims.sub == license["id"].get<std::string>());
  context.expected_email = "someone-else@example.com";
  CHECK(verifier.verify(token, context, last_trusted).status == licensor::verify_status::email_mismatch);

  // The CLI, with the same inputs in files.
  const auto scratch = server.data_dir().parent_path();
  std::ofstream(scratch / "token.txt") << token;
  std::ofstream(scratch / "keyring.tok") << keyring.json["token"].get<std::string>();
  const std::string verify = licensorctl + " keys verify --root " + (server.data_dir() / "keys" / "root.public").string() +
                             " --keyring " + (scratch / "keyring.tok").string() + " --token " +
                             (scratch / "token.txt").string() + " --product " + product + " >/dev/null";
  CHECK(run(verify + " --email " + customer["email"].get<std::string>()) == 0);
  CHECK(run(verify + " --email other@example.com") == 17);  // email_mismatch
}

TEST_CASE("a rotation made with licensorctl while licensord runs is picked up without a restart") {
  licensord_process server;
  auto as_operator = server.operator_client();
  auto anyone = server.client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator);
  auto as_partner = server.client(partner.api_key);
  const auto before = anyone.get("/v1/keyring").json;
  const auto old_license = license_issue(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product, "paid"});

  // The development key dir keeps its secrets unwrapped, so no passphrase is needed.
  REQUIRE(run(licensorctl + " keys rotate --dir " + (server.data_dir() / "keys").string() + " >/dev/null") == 0);
  nlohmann::json after;
  for (int attempt = 0; attempt < 50; ++attempt) {
    after = anyone.get("/v1/keyring").json;
    if (after["version"] != before["version"]) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(after["version"].get<int>() == before["version"].get<int>() + 1);
  // The server audits the change it did not make, once, with the version it found.
  std::vector<nlohmann::json> audited;
  for (int attempt = 0; attempt < 50 && audited.empty(); ++attempt) {
    audited = audit_entries(as_operator, "keys.keyring_changed");
    if (audited.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(audited.size() == 1);
  CHECK(audited[0]["actor"] == "keyring-watch");
  CHECK(audited[0]["details"]["version"] == after["version"]);
  const auto new_license = license_issue(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product, "paid"});
  CHECK(new_license["kid"] != old_license["kid"]);
  CHECK(validate_code(anyone, {{"token", old_license["token"]}}) == "valid");
  CHECK(validate_code(anyone, {{"token", new_license["token"]}}) == "valid");
  CHECK(server.stop() == 0);
}
