// The portal's files as licensord serves them (api/portal_assets.hpp): the page at / with its
// security headers and never cached, the fingerprinted assets it names cached as immutable and
// gzip-compressed for clients that accept it, unknown and stale asset names answered 404 in the
// API's error shape, and a portal folder that does not load stopping the server at start. The
// pages themselves are driven in a browser by tests/portal.
#include <regex>
#include <set>

#include "server_test.hpp"

using namespace licensor::testing;

namespace {

const std::string expected_csp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

void check_security_headers(const response& answer) {
  CHECK(answer.header("content-security-policy") == expected_csp);
  CHECK(answer.header("x-content-type-options") == "nosniff");
  CHECK(answer.header("referrer-policy") == "no-referrer");
}

}  // namespace

TEST_CASE("the portal's page and fingerprinted assets, with their headers") {
  auto anyone = shared_server().client();
  const auto page = anyone.get("/");
  REQUIRE(page.status == 200);
  CHECK(page.header("content-type") == "text/html; charset=utf-8");
  CHECK(page.header("cache-control") == "no-store");
  check_security_headers(page);
  CHECK(page.body.find("{{asset:") == std::string::npos);
  CHECK(page.body.find("<script>") == std::string::npos);  // no inline script: the CSP forbids it

  std::set<std::string> assets;
  const std::regex named("/assets/[A-Za-z0-9_-]+\\.[0-9a-f]{8}\\.[a-z]+");
  for (auto it = std::sregex_iterator(page.body.begin(), page.body.end(), named); it != std::sregex_iterator(); ++it)
    assets.insert(it->str());
  REQUIRE_FALSE(assets.empty());
  std::size_t total = 0;
  std::size_t gzipped = 0;
  for (const auto& path : assets) {
    INFO(path);
    const auto plain = anyone.get(path);
    REQUIRE(plain.status == 200);
    CHECK(plain.header("cache-control") == "public, max-age=31536000, immutable");
    CHECK(plain.header("content-encoding").empty());
    check_security_headers(plain);
    total += plain.body.size();
    const auto compressed = anyone.get(path, {{"Accept-Encoding", "br, gzip;q=0.8"}});
    REQUIRE(compressed.status == 200);
    CHECK(compressed.header("vary") == "Accept-Encoding");
    // A file gzip would not make smaller goes as it is.
    if (compressed.header("content-encoding").empty()) {
      CHECK(compressed.body == plain.body);
      continue;
    }
    ++gzipped;
    CHECK(compressed.header("content-encoding") == "gzip");
    CHECK(compressed.body.size() < plain.body.size());
    REQUIRE(compressed.body.size() > 2);
    CHECK(static_cast<unsigned char>(compressed.body[0]) == 0x1f);  // the gzip magic
    CHECK(static_cast<unsigned char>(compressed.body[1]) == 0x8b);
    CHECK(anyone.get(path, {{"Accept-Encoding", "gzip;q=0"}}).header("content-encoding").empty());
  }
  CHECK(gzipped > 0);
  CHECK(total < 200 * 1024);  // the whole portal's JavaScript and CSS

  CHECK_ERROR(anyone.get("/assets/app.00000000.js"), 404, "not_found");
  CHECK_ERROR(anyone.get("/assets/../keys/root.public"), 404, "not_found");
  CHECK_ERROR(anyone.get("/index.html"), 404, "not_found");
  CHECK(anyone.post("/", nlohmann::json::object()).status == 404);
  const auto health = anyone.get("/v1/health");
  CHECK(health.header("cache-control") == "no-store");
  CHECK(health.header("content-security-policy").empty());
}

TEST_CASE("a portal folder named on the command line that does not load stops the server at start") {
  CHECK_THROWS_AS(licensord_process({"--portal-dir", "/nonexistent/portal"}), std::runtime_error);
}
