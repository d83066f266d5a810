// licensord's configuration file: settings apply, comments are skipped, flags win over the
// file, and a bad file stops the start with a clear message.
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
