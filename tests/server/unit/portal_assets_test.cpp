// The portal's files as loaded (server/api/portal_assets.hpp): fingerprints that follow the
// content, index.html's asset names replaced, a missing asset refused at load, and which
// Accept-Encoding values take gzip.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "api/portal_assets.hpp"

using namespace licensor::server;

namespace {

struct portal_dir {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("licensor-portal-test-" + std::to_string(::getpid()));
  portal_dir() { std::filesystem::create_directories(path); }
  ~portal_dir() { std::filesystem::remove_all(path); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
};

std::string asset_path_in(const std::string& page, const std::string& stem) {
  const auto at = page.find("/assets/" + stem + ".");
  REQUIRE(at != std::string::npos);
  return page.substr(at, page.find('"', at) - at);
}

}  // namespace

TEST_CASE("assets are named by their content, and index.html names them") {
  portal_dir dir;
  dir.write("index.html", "<script type=\"module\" src=\"{{asset:app.js}}\"></script>");
  dir.write("app.js", "console.log('one');");
  std::string error;
  auto first = portal_assets::load(dir.path, error);
  REQUIRE_MESSAGE(first, error);
  const auto page = first->answer("/", false)->raw_body;
  const auto path = asset_path_in(page, "app");
  CHECK(path.size() == std::string("/assets/app.12345678.js").size());
  CHECK(first->answer(path, false)->raw_body == "console.log('one');");
  CHECK_FALSE(first->answer("/v1/health", false).has_value());  // not the portal's
  CHECK(first->answer("/assets/app.00000000.js", false)->status == 404);

  dir.write("app.js", "console.log('two');");
  auto second = portal_assets::load(dir.path, error);
  REQUIRE(second);
  CHECK(asset_path_in(second->answer("/", false)->raw_body, "app") != path);
  CHECK(second->answer(path, false)->status == 404);  // the old name is gone with the old content
}

TEST_CASE("a module's imports are named by their content too, and its own name follows them") {
  portal_dir dir;
  dir.write("index.html", "<script type=\"module\" src=\"{{asset:app.js}}\"></script>");
  dir.write("app.js", "import { el } from \"{{asset:ui.js}}\";");
  dir.write("ui.js", "export const el = 1;");
  std::string error;
  auto first = portal_assets::load(dir.path, error);
  REQUIRE_MESSAGE(first, error);
  const auto app = asset_path_in(first->answer("/", false)->raw_body, "app");
  const auto app_body = first->answer(app, false)->raw_body;
  const auto ui = asset_path_in(app_body, "ui");
  CHECK(first->answer(ui, false)->raw_body == "export const el = 1;");
  CHECK(app_body.find("{{asset:") == std::string::npos);

  dir.write("ui.js", "export const el = 2;");  // app.js itself is unchanged
  auto second = portal_assets::load(dir.path, error);
  REQUIRE(second);
  CHECK(asset_path_in(second->answer("/", false)->raw_body, "app") != app);
}

TEST_CASE("files that import each other in a circle do not load") {
  portal_dir dir;
  dir.write("index.html", "<script type=\"module\" src=\"{{asset:a.js}}\"></script>");
  dir.write("a.js", "import \"{{asset:b.js}}\";");
  dir.write("b.js", "import \"{{asset:a.js}}\";");
  std::string error;
  CHECK_FALSE(portal_assets::load(dir.path, error));
  CHECK(error.find("circle") != std::string::npos);
  dir.write("b.js", "import \"{{asset:index.html}}\";");
  CHECK_FALSE(portal_assets::load(dir.path, error));
  CHECK(error.find("index.html") != std::string::npos);
}

TEST_CASE("a folder whose index.html names a missing asset, or has none, does not load") {
  portal_dir dir;
  std::string error;
  CHECK_FALSE(portal_assets::load(dir.path, error));
  CHECK(error.find("index.html") != std::string::npos);
  dir.write("index.html", "<link rel=\"stylesheet\" href=\"{{asset:app.css}}\">");
  CHECK_FALSE(portal_assets::load(dir.path, error));
  CHECK(error.find("app.css") != std::string::npos);
  CHECK_FALSE(portal_assets::load(dir.path / "nowhere", error));
}

TEST_CASE("which Accept-Encoding values take gzip") {
  CHECK(gzip_accepted("gzip"));
  CHECK(gzip_accepted("gzip, deflate, br"));
  CHECK(gzip_accepted("br;q=1.0, GZIP;q=0.5"));
  CHECK(gzip_accepted("*"));
  CHECK(gzip_accepted("gzip;q=0.001"));
  CHECK_FALSE(gzip_accepted(""));
  CHECK_FALSE(gzip_accepted("br, deflate"));
  CHECK_FALSE(gzip_accepted("gzip;q=0"));
  CHECK_FALSE(gzip_accepted("gzip;q=0.000"));
  CHECK_FALSE(gzip_accepted("x-gzip-not"));
}
