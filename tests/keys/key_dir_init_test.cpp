#include <doctest/doctest.h>

#include "key_dir_fixture.hpp"
#include "licensor/keys/file_io.hpp"
#include "licensor/keys/key_dir.hpp"

using namespace licensor;
using namespace licensor::keys;
using licensor::testing::cheap_options;
using licensor::testing::now;
using licensor::testing::file_mode;
using licensor::testing::temp_dir;
using licensor::testing::tree;

namespace {

std::string read_line(const std::filesystem::path& file) {
  auto text = file_read(file);
  REQUIRE(text.ok());
  return std::string(line_trim(*text));
}

}  // namespace

TEST_CASE("init creates the root, a first signing key and keyring version 1") {
  const temp_dir scratch;
  const auto dir = scratch.path() / "keys";
  REQUIRE(key_dir_init(dir, cheap_options(), now).ok());

  auto signer = key_dir_load_signer(dir, cheap_options());
  REQUIRE(signer.ok());
  CHECK(signer->keyring.version == 1);
  CHECK(signer->keyring.iat == now);
  REQUIRE(signer->keyring.keys.size() == 1);
  CHECK(signer->keyring.keys[0].status == key_status::active);
  CHECK(signer->keyring.keys[0].nbf == now);
  CHECK(signer->active_kid == signer->keyring.keys[0].kid);
  CHECK(signer->active_kid == paserk_pid(signer->active_key.public_key()));
  CHECK(signer->root_public == *key_dir_root_public(dir));
  CHECK(*key_dir_keyring_version(dir) == 1);
  CHECK(read_line(key_dir_keyring_path(dir)) == signer->keyring_token);

  const auto kid_file = "signing/" + signer->active_kid.value + ".secret";
  CHECK(tree(dir) == std::vector<std::string>{"keyring.token", "lock", "root.public", "root.secret",
                                               "signing", kid_file});
  CHECK(file_mode(dir) == 0700);
  CHECK(file_mode(key_dir_signing_path(dir)) == 0700);
  CHECK(file_mode(key_dir_root_secret_path(dir)) == 0600);
  CHECK(file_mode(dir / kid_file) == 0600);
  CHECK(read_line(key_dir_root_public_path(dir)).starts_with("k4.public."));
}

TEST_CASE("wrapped secrets are k4.secret-pw and unwrap only with the right passphrase") {
  const temp_dir scratch;
  const auto dir = scratch.path();
  REQUIRE(key_dir_init(dir, cheap_options("right"), now).ok());
  auto signer = key_dir_load_signer(dir, cheap_options("right"));
  REQUIRE(signer.ok());

  const auto root_text = read_line(key_dir_root_secret_path(dir));
  const auto signing_text = read_line(key_dir_signing_secret_path(dir, signer->active_kid));
  CHECK(root_text.starts_with("k4.secret-pw."));
  CHECK(signing_text.starts_with("k4.secret-pw."));
  CHECK(paserk_secret_pw_unwrap(signing_text, "right")->equals(signer->active_key));
  CHECK(paserk_secret_pw_unwrap(root_text, "right")->public_key() == signer->root_public);
  CHECK_FALSE(*key_dir_is_development(dir));

  CHECK(key_dir_load_signer(dir, cheap_options("wrong")).error() == errc::wrong_password);
  CHECK(key_dir_load_signer(dir, cheap_options("")).error() == errc::wrong_password);
  CHECK(key_dir_rotate(dir, cheap_options("wrong"), now).error() == errc::wrong_password);
  CHECK(*key_dir_keyring_version(dir) == 1);
}

TEST_CASE("development mode stores plain k4.secret and needs no passphrase") {
  const temp_dir scratch;
  const auto dir = scratch.path();
  auto options = cheap_options("");
  options.development_unwrapped = true;
  REQUIRE(key_dir_init(dir, options, now).ok());
  CHECK(*key_dir_is_development(dir));
  CHECK(read_line(key_dir_root_secret_path(dir)).starts_with("k4.secret."));

  auto rotated = key_dir_rotate(dir, cheap_options(""), now + 10);
  REQUIRE(rotated.ok());
  CHECK(read_line(key_dir_signing_secret_path(dir, *rotated)).starts_with("k4.secret."));
  CHECK(key_dir_load_signer(dir, cheap_options(""))->active_kid == *rotated);
}

TEST_CASE("init without a passphrase outside development mode is refused") {
  const temp_dir scratch;
  CHECK(key_dir_init(scratch.path() / "k", cheap_options(""), now).error() == errc::bad_request);
  CHECK_FALSE(std::filesystem::exists(scratch.path() / "k"));
}

TEST_CASE("init refuses an initialised dir unless forced, and force replaces everything") {
  const temp_dir scratch;
  const auto dir = scratch.path();
  REQUIRE(key_dir_init(dir, cheap_options(), now).ok());
  const auto old_root = read_line(key_dir_root_secret_path(dir));
  const auto old_kid = key_dir_load_signer(dir, cheap_options())->active_kid;

  CHECK(key_dir_init(dir, cheap_options(), now).error() == errc::already_exists);
  CHECK(read_line(key_dir_root_secret_path(dir)) == old_root);

  REQUIRE(key_dir_init(dir, cheap_options(), now + 1, /*force=*/true).ok());
  CHECK(read_line(key_dir_root_secret_path(dir)) != old_root);
  CHECK(file_mode(key_dir_root_secret_path(dir)) == 0600);
  auto signer = key_dir_load_signer(dir, cheap_options());
  REQUIRE(signer.ok());
  CHECK(signer->active_kid != old_kid);
  CHECK(signer->keyring.version == 1);
  // The old root's signing key is gone with it.
  CHECK_FALSE(std::filesystem::exists(key_dir_signing_secret_path(dir, old_kid)));
}

TEST_CASE("a single pre-existing root file is enough to refuse init") {
  const temp_dir scratch;
  const auto dir = scratch.path();
  REQUIRE(file_write_atomic(key_dir_root_secret_path(dir), "anything", file_access::owner_only,
                            file_overwrite::refuse).ok());
  CHECK(key_dir_init(dir, cheap_options(), now).error() == errc::already_exists);
  CHECK(read_line(key_dir_root_secret_path(dir)) == "anything");
}

TEST_CASE("reads of a missing or tampered key dir fail with named errors") {
  const temp_dir scratch;
  const auto dir = scratch.path();
  CHECK(key_dir_root_public(dir).error() == errc::io_error);
  CHECK(key_dir_keyring_version(dir).error() == errc::io_error);
  REQUIRE(key_dir_init(dir, cheap_options(), now).ok());

  SUBCASE("a keyring signed by another root") {
    const auto other = SecretKey::generate();
    const auto forged = keyring_sign(key_dir_keyring(dir)->keyring, other);
    REQUIRE(file_write_atomic(key_dir_keyring_path(dir), forged, file_access::world_readable,
                              file_overwrite::replace).ok());
    CHECK(key_dir_keyring_version(dir).error() == errc::keyring_bad_signature);
    CHECK(key_dir_load_signer(dir, cheap_options()).error() == errc::keyring_bad_signature);
  }
  SUBCASE("a signing key file swapped for another key") {
    const auto kid = key_dir_keyring(dir)->keyring.active()->kid;
    REQUIRE(file_write_atomic(key_dir_signing_secret_path(dir, kid), paserk_secret(SecretKey::generate()),
                              file_access::owner_only, file_overwrite::replace).ok());
    CHECK(key_dir_load_signer(dir, cheap_options()).error() == errc::malformed);
  }
  SUBCASE("a root.public that is not a k4.public") {
    REQUIRE(file_write_atomic(key_dir_root_public_path(dir), "garbage\n", file_access::world_readable,
                              file_overwrite::replace).ok());
    CHECK_FALSE(key_dir_root_public(dir).ok());
    CHECK_FALSE(key_dir_keyring_version(dir).ok());
  }
}
