// Operating the server: metrics a Prometheus scrapes, readiness, request ids that join a
// response, its log line and its audit entry, and backups taken under load whose restore checks
// the snapshot before it replaces anything.
#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <regex>
#include <thread>

#include "server_test.hpp"

using namespace licensor::testing;

namespace {

// The value of the sample `series` (name and labels exactly as the server writes them).
std::optional<double> sample_value(const std::string& text, const std::string& series) {
  std::size_t at = 0;
  while ((at = text.find(series + " ", at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + series.size() + 1));
    at += series.size();
  }
  return std::nullopt;
}

double sample_or_zero(const std::string& text, const std::string& series) {
  return sample_value(text, series).value_or(0);
}

std::string scrape(licensord_process& server) {
  const auto reply = server.operator_client().get("/metrics");
  REQUIRE(reply.status == 200);
  return reply.body;
}

struct command_outcome {
  int exit_code = -1;
  std::string output;
};

// Runs a shell command, returning its exit code and what it wrote (stdout and stderr).
command_outcome command_run(const std::string& command) {
  command_outcome out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char chunk[4096];
  while (const auto got = std::fread(chunk, 1, sizeof chunk, pipe)) out.output.append(chunk, got);
  const int status = ::pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string licensord_binary() { return std::string(LICENSOR_BINARY_DIR) + "/server/licensord"; }

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

}  // namespace

TEST_CASE("GET /metrics counts exactly the requests made, by route, method and status, with their latency") {
  licensord_process server;
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator);
  auto as_partner = server.client(partner.api_key);
  const auto license = license_issue(as_partner, {customer_fresh(as_partner)["id"].get<std::string>(), product});
  const auto path = "/v1/licenses/" + license.at("id").get<std::string>();

  const std::string latency = R"(licensor_http_request_duration_seconds_count{route="/v1/licenses/{}",method="GET"})";
  const std::string answered = R"(licensor_http_requests_total{route="/v1/licenses/{}",method="GET",status="200"})";
  const std::string missing = R"(licensor_http_requests_total{route="/v1/licenses/{}",method="GET",status="404"})";
  const auto before = scrape(server);
  for (int i = 0; i < 37; ++i) REQUIRE(as_partner.get(path).status == 200);
  for (int i = 0; i < 5; ++i) REQUIRE(as_partner.get("/v1/licenses/lic_none").status == 404);
  const auto after = scrape(server);
  CHECK(sample_or_zero(after, latency) - sample_or_zero(before, latency) == 42);
  CHECK(sample_or_zero(after, answered) - sample_or_zero(before, answered) == 37);
  CHECK(sample_or_zero(after, missing) - sample_or_zero(before, missing) == 5);
  // The +Inf bucket is the count.
  CHECK(sample_value(after, R"(licensor_http_request_duration_seconds_bucket{route="/v1/licenses/{}",method="GET",le="+Inf"})") ==
        sample_value(after, latency));

  // What else an ops team reads: the store's commits and size, licenses by status and kind,
  // the jobs, the limits, the handshakes.
  CHECK(sample_or_zero(after, "licensor_store_commit_duration_seconds_count") >= 1);
  if (!test_store_is_postgresql()) {  // LMDB's own: its group commit's batches and its map
    CHECK(sample_or_zero(after, "licensor_store_commit_batch_size_count") >= 1);
    CHECK(sample_or_zero(after, "licensor_store_used_bytes") > 0);
    CHECK(sample_or_zero(after, "licensor_store_map_bytes") >= sample_or_zero(after, "licensor_store_used_bytes"));
  }
  CHECK(sample_value(after, R"(licensor_licenses{status="active",kind="free"})") == 1);
  CHECK(sample_value(after, R"(licensor_licenses{status="suspended",kind="free"})") == 0);
  REQUIRE(as_partner.post(path + "/suspend").status == 200);
  const auto suspended = scrape(server);
  CHECK(sample_value(suspended, R"(licensor_licenses{status="active",kind="free"})") == 0);
  CHECK(sample_value(suspended, R"(licensor_licenses{status="suspended",kind="free"})") == 1);
  CHECK(sample_or_zero(after, R"(licensor_job_runs_total{job="subscriptions",result="ok"})") >= 1);
  CHECK(sample_value(after, R"(licensor_job_last_run_success{job="keyring"})") == 1);
  CHECK(sample_value(after, R"(licensor_rate_limit_refusals_total{limit="activate_per_key"})") == 0);
  CHECK(sample_or_zero(after, R"(licensor_tls_handshakes_total{result="ok"})") >= 1);

  // Only operators who may read metrics: a partner's key is refused, nobody is not let in.
  CHECK(as_partner.get("/metrics").status == 403);
  CHECK(server.client().get("/metrics").status == 401);
  CHECK(as_operator.get("/metrics").header("content-type") == "text/plain; version=0.0.4; charset=utf-8");
}

TEST_CASE("promtool accepts the metrics of a server under load") {
  const auto promtool = command_run("command -v promtool");
  REQUIRE_MESSAGE(promtool.exit_code == 0, "promtool (Debian package prometheus) is installed by scripts/setup");
  licensord_process server;
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator, partner_spec().with_level("titanium"));
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i)
    clients.emplace_back([&] {
      auto as_partner = server.client(partner.api_key);
      const auto customer = customer_fresh(as_partner)["id"].get<std::string>();
      while (!stop) (void)license_issue_try(as_partner, {customer, product, "paid"});
    });
  std::string text;
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    text = scrape(server);
  }
  stop = true;
  for (auto& client : clients) client.join();
  CHECK(sample_or_zero(text, R"(licensor_http_requests_total{route="/v1/licenses",method="POST",status="201"})") > 0);

  const auto file = server.data_dir().parent_path() / "metrics.txt";
  std::ofstream(file) << text;
  const auto checked = command_run("promtool check metrics < " + quoted(file));
  CAPTURE(checked.output);
  CHECK(checked.exit_code == 0);
}

TEST_CASE("GET /v1/ready says whether the server can serve writes") {
  auto& server = shared_server();
  const auto ready = server.client().get("/v1/ready");
  REQUIRE(ready.status == 200);
  CHECK(ready.json.at("ready") == true);
  CHECK(ready.json.at("checks").at("signing_key") == "ok");
  CHECK(ready.json.at("checks").at("store_writes") == "ok");
}

TEST_CASE("a response's X-Request-Id is in its log line and in the audit entries of its change") {
  licensord_process server({"--log-level", "info"});
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator);
  auto as_partner = server.client(partner.api_key);
  const auto customer = customer_fresh(as_partner)["id"].get<std::string>();
  const auto issued = license_issue_try(as_partner, {customer, product});
  REQUIRE(issued.status == 201);
  const auto request_id = issued.header("x-request-id");
  CHECK(std::regex_match(request_id, std::regex("[0-9a-f]{24}")));
  CHECK(as_partner.get("/v1/health").header("x-request-id") != request_id);

  const auto license_id = issued.json.at("id").get<std::string>();
  bool audited = false;
  for (const auto& entry : audit_entries(as_operator, "license.issue"))
    if (entry.at("target") == license_id) {
      CHECK(entry.at("request_id") == request_id);
      audited = true;
    }
  CHECK(audited);
  CHECK(server.stderr_text().find("\"request_id\":\"" + request_id + "\"") != std::string::npos);

  // An app's activation is audited under the customer's name, with its request id.
  const auto activated = server.client().post(
      "/v1/activate", {{"activation_key", issued.json.at("activation_key")}, {"email", issued.json.at("email")},
                       {"fingerprint", "machine-1"}});
  REQUIRE(activated.status == 200);
  bool activation_audited = false;
  for (const auto& entry : audit_entries(as_operator, "license.activate"))
    if (entry.at("target") == license_id) {
      CHECK(entry.at("request_id") == activated.header("x-request-id"));
      activation_audited = true;
    }
  CHECK(activation_audited);
}

TEST_CASE("a backup taken while 16 clients issue restores every license acknowledged before it began") {
  // licensord restores only the embedded store; PostgreSQL's is restored with pg_restore.
  if (test_store_is_postgresql()) return;
  licensord_process server;
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator, partner_spec().with_level("titanium"));

  using clock = std::chrono::steady_clock;
  std::mutex acknowledged_mutex;
  std::vector<std::pair<clock::time_point, std::string>> acknowledged;  // when the 201 came, license id
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < 16; ++i)
    clients.emplace_back([&] {
      auto as_partner = server.client(partner.api_key);
      const auto customer = customer_fresh(as_partner)["id"].get<std::string>();
      // One free license each, so the partner's free-license counter is in the snapshot too.
      const auto free = license_issue(as_partner, {customer, product});
      {
        std::lock_guard lock(acknowledged_mutex);
        acknowledged.emplace_back(clock::now(), free.at("id").get<std::string>());
      }
      while (!stop) {
        const auto issued = license_issue_try(as_partner, {customer, product, "paid"});
        if (issued.status != 201) continue;
        std::lock_guard lock(acknowledged_mutex);
        acknowledged.emplace_back(clock::now(), issued.json.at("id").get<std::string>());
      }
    });
  // Until a good number are acknowledged, however slow the build (sanitizers) or busy the machine.
  const auto acknowledged_count = [&] {
    std::lock_guard lock(acknowledged_mutex);
    return acknowledged.size();
  };
  for (const auto deadline = clock::now() + std::chrono::seconds(60); acknowledged_count() < 32 && clock::now() < deadline;)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto backup_began = clock::now();
  const auto backup = as_operator.post("/v1/backups", nlohmann::json::object());
  // The command backs up the same store from another process, while the server writes on.
  const auto by_command = command_run(licensord_binary() + " backup --data-dir " + quoted(server.data_dir()));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (auto& client : clients) client.join();
  REQUIRE(backup.status == 201);
  CAPTURE(by_command.output);
  REQUIRE(by_command.exit_code == 0);
  CHECK(by_command.output.find("backup written to") != std::string::npos);
  const std::filesystem::path snapshot = backup.json.at("path").get<std::string>();
  const auto manifest = backup.json.at("manifest");
  CHECK(manifest.at("backend") == "lmdb");
  CHECK(manifest.at("counts").at("licenses").get<std::uint64_t>() > 0);
  CHECK((std::filesystem::status(snapshot).permissions() & std::filesystem::perms::others_all) ==
        std::filesystem::perms::none);
  std::vector<std::string> before_backup;
  for (const auto& [at, id] : acknowledged)
    if (at < backup_began) before_backup.push_back(id);
  REQUIRE(before_backup.size() > 16);
  CHECK(acknowledged.size() > before_backup.size());  // issuing went on while the backup ran

  const auto restore = [&](const std::filesystem::path& from) {
    return command_run(licensord_binary() + " restore " + quoted(from) + " --data-dir " + quoted(server.data_dir()));
  };
  const auto replaced_stores = [&] {
    std::size_t found = 0;
    for (const auto& entry : std::filesystem::directory_iterator(server.data_dir()))
      found += entry.path().filename().string().starts_with("store.replaced-");
    return found;
  };

  // While the server has the store open, a restore is refused.
  const auto while_running = restore(snapshot);
  CHECK(while_running.exit_code == 1);
  CHECK(while_running.output.find("stop licensord first") != std::string::npos);
  REQUIRE(server.stop() == 0);

  // A damaged snapshot (one byte changed) or one whose manifest lies is refused, and the store
  // stays as it is.
  const auto damaged = server.data_dir().parent_path() / "damaged";
  std::filesystem::copy(snapshot, damaged);
  {
    std::fstream data(damaged / "data.mdb", std::ios::in | std::ios::out | std::ios::binary);
    data.seekp(static_cast<std::streamoff>(std::filesystem::file_size(damaged / "data.mdb") / 2));
    data.put('\x5a');
  }
  const auto refused = restore(damaged);
  CAPTURE(refused.output);
  CHECK(refused.exit_code == 1);
  CHECK(refused.output.find("damaged") != std::string::npos);
  const auto lying = server.data_dir().parent_path() / "lying";
  std::filesystem::copy(snapshot, lying);
  {
    auto document = nlohmann::json::parse(std::ifstream(lying / "manifest.json"));
    document["counts"]["licenses"] = document["counts"]["licenses"].get<std::uint64_t>() + 1;
    std::ofstream(lying / "manifest.json", std::ios::trunc) << document.dump();
  }
  const auto lie_refused = restore(lying);
  CAPTURE(lie_refused.output);
  CHECK(lie_refused.exit_code == 1);
  CHECK(lie_refused.output.find("licenses") != std::string::npos);
  CHECK(replaced_stores() == 0);
  server.restart();
  CHECK(server.client(partner.api_key).get("/v1/licenses/" + acknowledged.back().second).status == 200);
  REQUIRE(server.stop() == 0);

  const auto restored = restore(snapshot);
  CAPTURE(restored.output);
  REQUIRE(restored.exit_code == 0);
  CHECK(replaced_stores() == 1);
  server.restart();
  auto as_partner = server.client(partner.api_key);
  std::size_t missing = 0;
  for (const auto& id : before_backup) missing += as_partner.get("/v1/licenses/" + id).status != 200;
  CHECK(missing == 0);
  // The restored store's counters are its records' (restore recounted them): the metrics agree
  // with the listing.
  const std::size_t listed = listing_all(as_partner, "/v1/licenses").size();
  CHECK(listed == manifest.at("counts").at("licenses").get<std::uint64_t>());
  const auto restored_metrics = scrape(server);
  CHECK(sample_or_zero(restored_metrics, R"(licensor_licenses{status="active",kind="paid"})") +
            sample_or_zero(restored_metrics, R"(licensor_licenses{status="active",kind="free"})") ==
        static_cast<double>(listed));
  CHECK(sample_value(restored_metrics, R"(licensor_licenses{status="active",kind="free"})") == 16);
  CHECK(as_partner.get("/v1/usage").json.at("free_licenses_used") == 16);
}
