#include <doctest/doctest.h>

#include "key_dir_fixture.hpp"
#include "licensor/keys/file_io.hpp"

using namespace licensor;
using namespace licensor::keys;
using licensor::testing::file_mode;
using licensor::testing::temp_dir;
using licensor::testing::tree;

TEST_CASE("file_write_atomic publishes the whole content with the requested mode") {
  const temp_dir dir;
  const auto secret = dir.path() / "a.secret";
  const auto open = dir.path() / "a.public";
  REQUIRE(file_write_atomic(secret, "s3cret\n", file_access::owner_only, file_overwrite::refuse).ok());
  REQUIRE(file_write_atomic(open, "pub\n", file_access::world_readable, file_overwrite::refuse).ok());
  CHECK(*file_read(secret) == "s3cret\n");
  CHECK(file_mode(secret) == 0600);
  CHECK((file_mode(open) & 0600) == 0600);
  CHECK(tree(dir.path()) == std::vector<std::string>{"a.public", "a.secret"});
}

TEST_CASE("file_write_atomic refuses to overwrite unless told to replace") {
  const temp_dir dir;
  const auto file = dir.path() / "keyring.token";
  REQUIRE(file_write_atomic(file, "one", file_access::world_readable, file_overwrite::refuse).ok());

  const auto refused = file_write_atomic(file, "two", file_access::world_readable, file_overwrite::refuse);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error() == errc::already_exists);
  CHECK(*file_read(file) == "one");

  REQUIRE(file_write_atomic(file, "two", file_access::world_readable, file_overwrite::replace).ok());
  CHECK(*file_read(file) == "two");
  CHECK(tree(dir.path()) == std::vector<std::string>{"keyring.token"});  // no temp file left
}

TEST_CASE("file_write_atomic into a missing directory fails cleanly") {
  const temp_dir dir;
  const auto result = file_write_atomic(dir.path() / "missing" / "f", "x", file_access::owner_only,
                                        file_overwrite::replace);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error() == errc::io_error);
  CHECK(tree(dir.path()).empty());
}

TEST_CASE("file_read reports missing and oversized files") {
  const temp_dir dir;
  CHECK(file_read(dir.path() / "nope").error() == errc::io_error);
  const auto big = dir.path() / "big";
  REQUIRE(file_write_atomic(big, std::string(100, 'x'), file_access::owner_only, file_overwrite::refuse).ok());
  CHECK(file_read(big, 99).error() == errc::payload_too_large);
  CHECK(file_read(big, 100)->size() == 100);
}

TEST_CASE("line_trim drops only trailing white space") {
  CHECK(line_trim("k4.public.abc\n") == "k4.public.abc");
  CHECK(line_trim("k4.public.abc \r\n\t") == "k4.public.abc");
  CHECK(line_trim(" x") == " x");
  CHECK(line_trim("").empty());
}
