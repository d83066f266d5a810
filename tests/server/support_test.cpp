// The support code itself: the process runner and the client's keep-alive and reconnects.
#include "server_test.hpp"

using namespace licensor::testing;

TEST_CASE("licensord_process starts a server that answers over TLS") {
  auto& server = shared_server();
  CHECK(server.running());
  CHECK(server.port() != 0);
  CHECK(std::filesystem::exists(server.data_dir() / "store") != test_store_is_postgresql());
  auto client = server.client();
  const auto health = client.get("/v1/health");
  CHECK(health.status == 200);
  CHECK(health.json.at("status") == "ok");
  CHECK(health.header("content-type").starts_with("application/json"));
}

TEST_CASE("https_client keeps one connection alive and reconnects after a close") {
  auto client = shared_server().client();
  for (int i = 0; i < 5; ++i) REQUIRE(client.get("/v1/health").status == 200);
  CHECK(client.connections_opened() == 1);
  client.close();
  CHECK(client.get("/v1/health").status == 200);
  CHECK(client.connections_opened() == 2);
}

TEST_CASE("the operator token from the environment authenticates; another does not") {
  auto& server = shared_server();
  auto as_operator = server.operator_client();
  CHECK(as_operator.get("/v1/partners?limit=1").status == 200);
  auto stranger = server.client("lop_not_the_token");
  CHECK_ERROR(stranger.get("/v1/partners"), 401, "unauthorized");
}
