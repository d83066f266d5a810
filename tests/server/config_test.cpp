// licensord's configuration file: settings apply, comments are skipped, flags win over the
// file, and a bad file stops the start with a clear message.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>

#include "server_test.hpp"

using namespace licensor::testing;

TEST_CASE("a config file sets limits; flags given on the command line override it") {
  const auto file = std::filesystem::temp_directory_path() / ("licensord-config-" + unique_suffix() + ".conf");
  std::ofstream(file) << "# limits for this test\n"
                         "body-limit = 1000\n"
                         "log-level = info\n"
                         "listen = 127.0.0.1:1\n";  // overridden by the harness's --listen
  licensord_process server({"--config", file.string()});
  auto anyone = server.client();
  CHECK(anyone.get("/v1/health").status == 200);
  CHECK_ERROR(anyone.post("/v1/validate", {{"token", std::string(2000, 'x')}}), 413, "payload_too_large");
  CHECK(anyone.post("/v1/validate", {{"token", std::string(500, 'x')}}).status == 200);
  CHECK(server.stop() == 0);
  std::filesystem::remove(file);
}

TEST_CASE("an unknown setting in the config file stops licensord before it listens") {
  const auto file = std::filesystem::temp_directory_path() / ("licensord-config-" + unique_suffix() + ".conf");
  std::ofstream(file) << "no-such-setting = 1\n";
  CHECK_THROWS_AS(licensord_process({"--config", file.string()}), std::runtime_error);
  std::filesystem::remove(file);
}

namespace {

// Runs licensord with `environment` prepended and returns its exit code (it must not start).
int licensord_exit_code(const std::string& environment, const std::filesystem::path& data_dir) {
  const auto command = environment + " " + std::string(LICENSOR_BINARY_DIR) + "/server/licensord --listen 127.0.0.1:0 --data-dir " +
                       data_dir.string() + " >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("a short operator token or passphrase stops licensord before it touches anything") {
  const auto data_dir = std::filesystem::temp_directory_path() / ("licensord-weak-" + unique_suffix());
  CHECK(licensord_exit_code("LICENSOR_OPERATOR_TOKEN=x", data_dir) == 2);
  CHECK(licensord_exit_code("LICENSOR_OPERATOR_TOKEN=" + std::string(31, 'a'), data_dir) == 2);
  CHECK(licensord_exit_code("LICENSOR_PASSPHRASE=short", data_dir) == 2);
  CHECK_FALSE(std::filesystem::exists(data_dir / "keys"));
  std::filesystem::remove_all(data_dir);
}

TEST_CASE("an existing data dir keeps its mode; the TLS key is made private; a shared TLS key is refused") {
  licensord_process server;
  namespace fs = std::filesystem;
  const auto tls_key = server.data_dir() / "tls" / "key.pem";
  CHECK((fs::status(server.data_dir()).permissions() & fs::perms::all) == fs::perms::owner_all);
  CHECK((fs::status(tls_key).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  REQUIRE(server.stop() == 0);

  const auto shared_mode = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec;
  fs::permissions(server.data_dir(), shared_mode);
  fs::permissions(tls_key, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  server.restart();
  CHECK((fs::status(server.data_dir()).permissions() & fs::perms::all) == shared_mode);
  // The development key is licensord's own: brought back to 0600.
  CHECK((fs::status(tls_key).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  REQUIRE(server.stop() == 0);

  // A configured key that every user can read is refused with a clear message.
  const auto exposed = server.data_dir() / "exposed-key.pem";
  fs::copy_file(tls_key, exposed);
  fs::permissions(exposed, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  CHECK_THROWS_AS(licensord_process({"--tls-cert", (server.data_dir() / "tls" / "cert.pem").string(), "--tls-key", exposed.string()}),
                  std::runtime_error);
}
