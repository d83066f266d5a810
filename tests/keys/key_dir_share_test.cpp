// Sharing a key dir's keys with another server's key dir (replicas on one store): what leaves a
// dir, and what a dir accepts.
#include <doctest/doctest.h>

#include "key_dir_fixture.hpp"
#include "licensor/keys/file_io.hpp"
#include "licensor/keys/key_dir.hpp"

using namespace licensor;
using namespace licensor::keys;
using licensor::testing::cheap_options;
using licensor::testing::now;
using licensor::testing::temp_dir;

namespace {

// A replica's key dir as an operator gives it: only the root's public key.
void replica_dir_make(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::create_directories(to);
  std::filesystem::copy_file(key_dir_root_public_path(from), key_dir_root_public_path(to));
}

// key_dir_adopt, which must succeed: whether it changed the dir.
bool adopted(const std::filesystem::path& dir, const shared_keys& shared) {
  auto changed = key_dir_adopt(dir, shared);
  REQUIRE(changed.ok());
  return *changed;
}

}  // namespace

TEST_CASE("a replica's key dir with only root.public adopts the shared keys, signs with them, and follows a rotation") {
  const temp_dir scratch;
  const auto origin = scratch.path() / "origin";
  const auto replica = scratch.path() / "replica";
  REQUIRE(key_dir_init(origin, cheap_options(), now).ok());
  replica_dir_make(origin, replica);

  auto shared = key_dir_shared(origin);
  REQUIRE(shared.ok());
  CHECK(shared->version == 1);
  REQUIRE(shared->wrapped_secrets.size() == 1);
  CHECK(shared->wrapped_secrets.begin()->second.starts_with("k4.secret-pw."));  // wrapped, never plain
  REQUIRE(adopted(replica, *shared));
  CHECK_FALSE(std::filesystem::exists(key_dir_root_secret_path(replica)));  // the root stays home
  auto signer = key_dir_load_signer(replica, cheap_options());
  REQUIRE(signer.ok());
  CHECK(signer->active_kid == key_dir_load_signer(origin, cheap_options())->active_kid);
  CHECK(testing::file_mode(key_dir_signing_secret_path(replica, signer->active_kid)) == 0600);
  CHECK_FALSE(adopted(replica, *shared));  // the same version again: nothing

  const auto rotated = key_dir_rotate(origin, cheap_options(), now + 60);
  REQUIRE(rotated.ok());
  REQUIRE(key_dir_revoke(origin, cheap_options(), signer->active_kid, now + 120).ok());
  auto after = key_dir_shared(origin);
  REQUIRE(after.ok());
  CHECK(after->version == 3);
  CHECK_FALSE(after->wrapped_secrets.contains(signer->active_kid.value));  // revoked: its secret is gone
  REQUIRE(adopted(replica, *after));
  CHECK(key_dir_load_signer(replica, cheap_options())->active_kid == *rotated);
  CHECK_FALSE(std::filesystem::exists(key_dir_signing_secret_path(replica, signer->active_kid)));
  CHECK_FALSE(adopted(replica, *shared));  // an older version never wins
  CHECK(*key_dir_keyring_version(replica) == 3);

  SUBCASE("the wrong passphrase still unwraps nothing") {
    CHECK(key_dir_load_signer(replica, cheap_options("another passphrase")).error() == errc::wrong_password);
  }
}

TEST_CASE("a key dir refuses keys its root did not sign, and a secret that is not wrapped or not listed") {
  const temp_dir scratch;
  const auto origin = scratch.path() / "origin";
  const auto stranger = scratch.path() / "stranger";
  const auto replica = scratch.path() / "replica";
  REQUIRE(key_dir_init(origin, cheap_options(), now).ok());
  REQUIRE(key_dir_init(stranger, cheap_options(), now).ok());
  replica_dir_make(origin, replica);
  const auto theirs = *key_dir_shared(stranger);
  CHECK(key_dir_adopt(replica, theirs).error() == errc::keyring_bad_signature);

  auto ours = *key_dir_shared(origin);
  auto renamed = ours;
  renamed.wrapped_secrets = {{"../../escape", ours.wrapped_secrets.begin()->second}};
  CHECK(key_dir_adopt(replica, renamed).error() == errc::malformed);
  auto plain = ours;
  plain.wrapped_secrets.begin()->second = "k4.secret.AAAA";
  CHECK(key_dir_adopt(replica, plain).error() == errc::malformed);
  auto mislabeled = ours;
  mislabeled.version = 7;
  CHECK(key_dir_adopt(replica, mislabeled).error() == errc::malformed);
  CHECK_FALSE(std::filesystem::exists(key_dir_keyring_path(replica)));  // nothing was taken
}

TEST_CASE("a development key dir shares nothing: its secrets are not wrapped") {
  const temp_dir scratch;
  auto options = cheap_options("");
  options.development_unwrapped = true;
  REQUIRE(key_dir_init(scratch.path(), options, now).ok());
  CHECK(key_dir_shared(scratch.path()).error() == errc::forbidden);
}
