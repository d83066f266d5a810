#include <doctest/doctest.h>

#include "key_dir_fixture.hpp"
#include "licensor/keys/file_io.hpp"
#include "licensor/keys/key_dir.hpp"

using namespace licensor;
using namespace licensor::keys;
using licensor::testing::cheap_options;
using licensor::testing::now;
using licensor::testing::temp_dir;
using licensor::testing::tree;

namespace {

KeyId active_kid(const std::filesystem::path& dir) {
  auto state = key_dir_keyring(dir);
  REQUIRE(state.ok());
  REQUIRE(state->keyring.active() != nullptr);
  return state->keyring.active()->kid;
}

bool no_temp_files(const std::filesystem::path& dir) {
  for (const auto& name : tree(dir))
    if (name.find(".tmp-") != std::string::npos) return false;
  return true;
}

}  // namespace

TEST_CASE("rotate makes a new active key, retires the old one and bumps the version") {
  const temp_dir scratch;
  const auto dir = scratch.path();
  REQUIRE(key_dir_init(dir, cheap_options(), now).ok());
  const auto first = active_kid(dir);

  auto second = key_dir_rotate(dir, cheap_options(), now + 100);
  REQUIRE(second.ok());
  CHECK(*second != first);
  auto state = key_dir_keyring(dir);
  REQUIRE(state.ok());
  CHECK(state->keyring.version == 2);
  CHECK(state->keyring.iat == now + 100);
  CHECK(state->keyring.find(first)->status == key_status::retired);
  CHECK(state->keyring.find(*second)->status == key_status::active);
  CHECK(state->keyring.find(*second)->nbf == now + 100);
  CHECK(state->keyring.revoked.empty());

  auto signer = key_dir_load_signer(dir, cheap_options());
  REQUIRE(signer.ok());
  CHECK(signer->active_kid == *second);
  // The retired key's secret is kept: it is not compromised.
  CHECK(std::filesystem::exists(key_dir_signing_secret_path(dir, first)));

  auto third = key_dir_rotate(dir, cheap_options(), now + 200);
  REQUIRE(third.ok());
  state = key_dir_keyring(dir);
  CHECK(state->keyring.version == 3);
  CHECK(state->keyring.keys.size() == 3);
  CHECK(state->keyring.find(*second)->status == key_status::retired);
  CHECK(state->keyring.active()->kid == *third);
  CHECK(no_temp_files(dir));
}

TEST_CASE("revoke lists the kid, bumps the version and deletes its secret") {
  const temp_dir scratch;
  const auto dir = scratch.path();
  REQUIRE(key_dir_init(dir, cheap_options(), now).ok());
  const auto old_kid = active_kid(dir);
  auto new_kid = key_dir_rotate(dir, cheap_options(), now + 1);
  REQUIRE(new_kid.ok());

  REQUIRE(key_dir_revoke(dir, cheap_options(), old_kid, now + 2).ok());
  auto state = key_dir_keyring(dir);
  REQUIRE(state.ok());
  CHECK(state->keyring.version == 3);
  CHECK(state->keyring.is_revoked(old_kid));
  CHECK(state->keyring.find(old_kid) != nullptr);  // verifiers still see which key it was
  CHECK(state->keyring.active()->kid == *new_kid);
  CHECK_FALSE(std::filesystem::exists(key_dir_signing_secret_path(dir, old_kid)));
  CHECK(key_dir_load_signer(dir, cheap_options())->active_kid == *new_kid);

  SUBCASE("revoking it again changes nothing") {
    REQUIRE(key_dir_revoke(dir, cheap_options(), old_kid, now + 3).ok());
    CHECK(*key_dir_keyring_version(dir) == 3);
  }
  SUBCASE("the last active key cannot be revoked") {
    CHECK(key_dir_revoke(dir, cheap_options(), *new_kid, now + 3).error() == errc::no_active_key);
    CHECK(*key_dir_keyring_version(dir) == 3);
    CHECK(std::filesystem::exists(key_dir_signing_secret_path(dir, *new_kid)));
  }
  CHECK(no_temp_files(dir));
}

TEST_CASE("revoke refuses to leave a fresh key dir without an active key") {
  const temp_dir scratch;
  const auto dir = scratch.path();
  REQUIRE(key_dir_init(dir, cheap_options(), now).ok());
  CHECK(key_dir_revoke(dir, cheap_options(), active_kid(dir), now).error() == errc::no_active_key);
  CHECK(*key_dir_keyring_version(dir) == 1);
}

TEST_CASE("revoke of an unknown kid is not_found and needs the right passphrase first") {
  const temp_dir scratch;
  const auto dir = scratch.path();
  REQUIRE(key_dir_init(dir, cheap_options(), now).ok());
  const auto stranger = paserk_pid(SecretKey::generate().public_key());
  CHECK(key_dir_revoke(dir, cheap_options(), stranger, now).error() == errc::not_found);
  CHECK(key_dir_revoke(dir, cheap_options(), KeyId{"../../etc/passwd"}, now).error() == errc::not_found);
  CHECK(key_dir_revoke(dir, cheap_options("wrong"), stranger, now).error() == errc::wrong_password);
  CHECK(*key_dir_keyring_version(dir) == 1);
}

TEST_CASE("a root.secret that does not match root.public cannot change the keyring") {
  const temp_dir scratch;
  const auto dir = scratch.path();
  REQUIRE(key_dir_init(dir, cheap_options(), now).ok());
  auto other = paserk_secret_pw_wrap(SecretKey::generate(), "correct horse",
                                     cheap_options().limits);
  REQUIRE(other.ok());
  REQUIRE(file_write_atomic(key_dir_root_secret_path(dir), *other, file_access::owner_only,
                            file_overwrite::replace).ok());
  CHECK(key_dir_rotate(dir, cheap_options(), now).error() == errc::malformed);
  CHECK(*key_dir_keyring_version(dir) == 1);
}

TEST_CASE("a server's copy without root.secret can still load the signer") {
  const temp_dir scratch;
  const auto dir = scratch.path();
  REQUIRE(key_dir_init(dir, cheap_options(), now).ok());
  std::filesystem::remove(key_dir_root_secret_path(dir));
  CHECK(key_dir_load_signer(dir, cheap_options()).ok());
  CHECK(key_dir_rotate(dir, cheap_options(), now).error() == errc::root_key_offline);
  CHECK(key_dir_revoke(dir, cheap_options(), active_kid(dir), now).error() == errc::root_key_offline);
}

TEST_CASE("rotating from a version rotates only a keyring still at that version") {
  const temp_dir scratch;
  const auto dir = scratch.path();
  REQUIRE(key_dir_init(dir, cheap_options(), now).ok());
  REQUIRE(key_dir_rotate(dir, cheap_options(), now + 1, 1).ok());
  CHECK(*key_dir_keyring_version(dir) == 2);
  // The same request again (a retry) finds version 2 and changes nothing.
  CHECK(key_dir_rotate(dir, cheap_options(), now + 2, 1).error() == errc::conflict);
  CHECK(*key_dir_keyring_version(dir) == 2);
}

TEST_CASE("a retired key's secret is deleted once its grace period has passed, its public key stays") {
  const temp_dir scratch;
  const auto dir = scratch.path();
  REQUIRE(key_dir_init(dir, cheap_options(), now).ok());
  const auto first = active_kid(dir);
  REQUIRE(key_dir_rotate(dir, cheap_options(), now + 100).ok());
  const auto keyring = key_dir_keyring(dir);
  REQUIRE(keyring.ok());
  CHECK(key_retired_at(keyring->keyring, first) == now + 100);
  CHECK(!key_retired_at(keyring->keyring, active_kid(dir)).has_value());

  const std::int64_t grace = 86'400;
  CHECK(*key_dir_retired_secrets_prune(dir, now + 100 + grace - 1, grace) == 0);  // one second early
  CHECK(std::filesystem::exists(key_dir_signing_secret_path(dir, first)));
  CHECK(*key_dir_retired_secrets_prune(dir, now + 100 + grace, grace) == 1);
  CHECK(!std::filesystem::exists(key_dir_signing_secret_path(dir, first)));
  CHECK(std::filesystem::exists(key_dir_signing_secret_path(dir, active_kid(dir))));
  CHECK(key_dir_keyring(dir)->keyring.find(first) != nullptr);  // still verifies its tokens
  CHECK(key_dir_load_signer(dir, cheap_options()).ok());
}
