// licensord's configuration file: settings apply, comments are skipped, flags win over the
// file, and a bad file stops the start with a clear message.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

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

// Runs licensord with `environment` prepended and `arguments` appended, and returns its exit
// code (it must not start).
int licensord_exit_code(const std::string& environment, const std::filesystem::path& data_dir,
                        const std::string& arguments = "") {
  const auto command = environment + " " + std::string(LICENSOR_BINARY_DIR) + "/server/licensord --listen 127.0.0.1:0 --data-dir " +
                       data_dir.string() + " " + arguments + " >/dev/null 2>&1";
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

namespace {

// Writes `content` to a new file in `dir` with `mode`.
std::filesystem::path secret_file_write(const std::filesystem::path& dir, const std::string& name, const std::string& content,
                                        std::filesystem::perms mode) {
  std::filesystem::create_directories(dir);
  const auto file = dir / name;
  std::ofstream(file) << content;
  std::filesystem::permissions(file, mode);
  return file;
}

std::string file_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

constexpr auto owner_only = std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;

}  // namespace

TEST_CASE("a passphrase and an operator token read from files (systemd credentials) wrap the keys and sign the operator in") {
  namespace fs = std::filesystem;
  const auto credentials = fs::temp_directory_path() / ("licensord-credentials-" + unique_suffix());
  const std::string passphrase = "correct horse battery staple";
  const std::string token = "lop_" + std::string(40, 'k');
  // One trailing newline (as `echo` writes) is not part of the secret; the group may read (0640).
  const auto passphrase_file = secret_file_write(credentials, "passphrase", passphrase + "\n", owner_only | fs::perms::group_read);
  const auto token_file = secret_file_write(credentials, "operator-token", token, owner_only);

  licensord_process server({"--passphrase-file", passphrase_file.string(), "--operator-token-file", token_file.string()});
  CHECK(https_client(server.port(), token).get("/v1/keys").status == 200);
  // The file wins over LICENSOR_OPERATOR_TOKEN, which the harness also sets.
  CHECK(server.operator_client().get("/v1/keys").status == 401);
  CHECK(server.stderr_text().find("DEVELOPMENT MODE") == std::string::npos);
  CHECK(server.stderr_text().find(passphrase) == std::string::npos);

  const auto keys = server.data_dir() / "keys";
  std::size_t secrets = 0;
  for (const auto& entry : fs::recursive_directory_iterator(keys)) {
    if (entry.path().extension() != ".secret") continue;
    ++secrets;
    CHECK(file_text(entry.path()).starts_with("k4.secret-pw."));
    CHECK((fs::status(entry.path()).permissions() & fs::perms::all) == owner_only);
  }
  CHECK(secrets == 2);  // the root and the first signing key

  // Restarted with the same files, licensord unwraps its keys and signs; the keyring still verifies.
  REQUIRE(server.stop() == 0);
  server.restart();
  CHECK(https_client(server.port(), token).get("/v1/keys").status == 200);
  CHECK(server.client().get("/v1/keyring").status == 200);
  REQUIRE(server.stop() == 0);
  fs::remove_all(credentials);
}

TEST_CASE("a secret file that others can read, that is empty, short, large or missing, stops licensord") {
  namespace fs = std::filesystem;
  const auto credentials = fs::temp_directory_path() / ("licensord-credentials-" + unique_suffix());
  const auto data_dir = credentials / "data";
  const std::string good = "a passphrase long enough\n";
  const auto shared = secret_file_write(credentials, "shared", good, owner_only | fs::perms::others_read);
  const auto group_writable = secret_file_write(credentials, "group-writable", good, owner_only | fs::perms::group_write);
  const auto empty = secret_file_write(credentials, "empty", "\n", owner_only);
  const auto too_short = secret_file_write(credentials, "short", "short\n", owner_only);
  const auto large = secret_file_write(credentials, "large", std::string(5000, 'p'), owner_only);
  for (const auto& file : {shared, group_writable, empty, too_short, large, credentials / "missing", credentials}) {
    CAPTURE(file);
    CHECK(licensord_exit_code("", data_dir, "--passphrase-file " + file.string()) == 2);
    CHECK(licensord_exit_code("", data_dir, "--operator-token-file " + file.string()) == 2);
  }
  CHECK_FALSE(fs::exists(data_dir / "keys"));
  CHECK_FALSE(fs::exists(data_dir / "store"));
  fs::remove_all(credentials);
}
