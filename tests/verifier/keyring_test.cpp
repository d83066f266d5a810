// Keyring loading (pinned roots, rollback) and key id handling (unknown, revoked, retired),
// and the implicit assertions that keep licenses and keyrings apart.
#include <doctest/doctest.h>

#include "licensor/paserk.hpp"
#include "licensor/signed_document.hpp"
#include "verifier_fixture.hpp"

using namespace licensor;
using namespace licensor::testing;

TEST_CASE("no keyring loaded: every token is unknown_key") {
  const auto root = SecretKey::generate();
  const auto signer = SecretKey::generate();
  const license_verifier verifier({root.public_key()});
  unix_seconds last_trusted = 0;
  const auto outcome =
      verifier.verify(license_token_sign(sample_claims(), signer), sample_context(), last_trusted);
  CHECK(outcome.status == verify_status::unknown_key);
  CHECK(outcome.kid == paserk_pid(signer.public_key()));
  CHECK(last_trusted == 0);
}

TEST_CASE("a token signed by a key missing from the keyring is unknown_key") {
  verifier_setup setup;
  const auto stranger = SecretKey::generate();
  CHECK(setup.check(license_token_sign(sample_claims(), stranger), sample_context()) ==
        verify_status::unknown_key);
}

TEST_CASE("revoked and retired keys") {
  verifier_setup setup;
  const auto next = SecretKey::generate();
  const auto old_token = setup.sign(sample_claims());

  SUBCASE("a retired key still verifies its tokens") {
    REQUIRE(setup.verifier.load_keyring(
                keyring_token(setup.root, 2,
                              {keyring_entry_for(setup.signer, key_status::retired),
                               keyring_entry_for(next)}),
                setup.highest_seen) == verify_status::valid);
    CHECK(setup.check(old_token, sample_context()) == verify_status::valid);
    CHECK(setup.check(license_token_sign(sample_claims(), next), sample_context()) ==
          verify_status::valid);
  }
  SUBCASE("a revoked key fails even for tokens issued before the revocation") {
    auto backdated = sample_claims();
    backdated.iat = issued_at - thirty_days;
    const auto backdated_token = setup.sign(backdated);
    REQUIRE(setup.verifier.load_keyring(
                keyring_token(setup.root, 2, {keyring_entry_for(next)},
                              {paserk_pid(setup.signer.public_key())}),
                setup.highest_seen) == verify_status::valid);
    CHECK(setup.check(old_token, sample_context()) == verify_status::revoked_key);
    CHECK(setup.check(backdated_token, sample_context()) == verify_status::revoked_key);
  }
  SUBCASE("revoked wins when the key is also still listed") {
    REQUIRE(setup.verifier.load_keyring(
                keyring_token(setup.root, 2,
                              {keyring_entry_for(setup.signer, key_status::retired),
                               keyring_entry_for(next)},
                              {paserk_pid(setup.signer.public_key())}),
                setup.highest_seen) == verify_status::valid);
    CHECK(setup.check(old_token, sample_context()) == verify_status::revoked_key);
  }
}

TEST_CASE("a keyring signed by a root that is not pinned is refused") {
  verifier_setup setup;
  const auto impostor = SecretKey::generate();
  const auto own_key = SecretKey::generate();
  CHECK(setup.verifier.load_keyring(keyring_token(impostor, 5, {keyring_entry_for(own_key)}),
                                    setup.highest_seen) == verify_status::keyring_bad_signature);
  CHECK(setup.highest_seen == 1);
  // The previous keyring stays in force: the impostor's key is still unknown.
  CHECK(setup.check(license_token_sign(sample_claims(), own_key), sample_context()) ==
        verify_status::unknown_key);
  CHECK(setup.check(setup.sign(sample_claims()), sample_context()) == verify_status::valid);
}

TEST_CASE("any one of several pinned roots may sign the keyring") {
  const auto old_root = SecretKey::generate();
  const auto new_root = SecretKey::generate();
  const auto signer = SecretKey::generate();
  license_verifier verifier({old_root.public_key(), new_root.public_key()});
  std::uint64_t highest_seen = 0;
  CHECK(verifier.load_keyring(keyring_token(new_root, 1, {keyring_entry_for(signer)}),
                              highest_seen) == verify_status::valid);
  CHECK(verifier.keyring_version() == 1);
}

TEST_CASE("keyring rollback protection") {
  verifier_setup setup;
  const auto next = SecretKey::generate();
  const auto version_7 = keyring_token(setup.root, 7, {keyring_entry_for(next)});
  const auto version_6 = keyring_token(setup.root, 6, {keyring_entry_for(setup.signer)});

  REQUIRE(setup.verifier.load_keyring(version_7, setup.highest_seen) == verify_status::valid);
  CHECK(setup.highest_seen == 7);  // a higher version is persisted
  CHECK(setup.verifier.keyring_version() == 7);

  SUBCASE("a lower version is refused and changes nothing") {
    CHECK(setup.verifier.load_keyring(version_6, setup.highest_seen) ==
          verify_status::keyring_rollback);
    CHECK(setup.highest_seen == 7);
    CHECK(setup.verifier.keyring_version() == 7);
    CHECK(setup.check(setup.sign(sample_claims()), sample_context()) == verify_status::unknown_key);
  }
  SUBCASE("the same version is accepted again") {
    CHECK(setup.verifier.load_keyring(version_7, setup.highest_seen) == verify_status::valid);
    CHECK(setup.highest_seen == 7);
  }
  SUBCASE("a fresh verifier with the persisted number refuses the old keyring") {
    license_verifier restarted({setup.root.public_key()});
    std::uint64_t persisted = setup.highest_seen;
    CHECK(restarted.load_keyring(version_6, persisted) == verify_status::keyring_rollback);
    CHECK(restarted.keyring_version() == 0);
  }
}

TEST_CASE("malformed keyrings") {
  verifier_setup setup;
  CHECK(setup.verifier.load_keyring("", setup.highest_seen) == verify_status::malformed);
  CHECK(setup.verifier.load_keyring("v4.local.abc", setup.highest_seen) ==
        verify_status::malformed);
  CHECK(setup.verifier.load_keyring("v4.public.!!!", setup.highest_seen) ==
        verify_status::malformed);
  // Signed by the root, but the payload is not a keyring.
  CHECK(setup.verifier.load_keyring(signed_document_sign(setup.root, R"({"version":"x"})",
                                                         keyring_assertion),
                                    setup.highest_seen) == verify_status::malformed);
  CHECK(setup.highest_seen == 1);
}

TEST_CASE("licenses and keyrings cannot stand in for each other") {
  // One key acting as both root and signing key isolates the implicit assertion: the kid is
  // known either way, so only the assertion can tell the documents apart.
  const auto key = SecretKey::generate();
  license_verifier verifier({key.public_key()});
  std::uint64_t highest_seen = 0;
  const auto keyring = keyring_token(key, 1, {keyring_entry_for(key)});
  REQUIRE(verifier.load_keyring(keyring, highest_seen) == verify_status::valid);

  const auto license = license_token_sign(sample_claims(), key);
  unix_seconds last_trusted = 0;
  REQUIRE(verifier.verify(license, sample_context(), last_trusted).status == verify_status::valid);

  SUBCASE("a keyring offered as a license") {
    CHECK(verifier.verify(keyring, sample_context(), last_trusted).status ==
          verify_status::bad_signature);
  }
  SUBCASE("a license offered as a keyring") {
    CHECK(verifier.load_keyring(license, highest_seen) == verify_status::keyring_bad_signature);
  }
  SUBCASE("with separate keys, the kid already fails") {
    verifier_setup setup;
    CHECK(setup.check(keyring_token(setup.root, 1, {keyring_entry_for(setup.signer)}),
                      sample_context()) == verify_status::unknown_key);
    CHECK(setup.verifier.load_keyring(setup.sign(sample_claims()), setup.highest_seen) ==
          verify_status::keyring_bad_signature);
  }
}

TEST_CASE("pinned_root_parse") {
  const auto root = SecretKey::generate();
  const auto parsed = pinned_root_parse(paserk_public(root.public_key()));
  REQUIRE(parsed.ok());
  CHECK(*parsed == root.public_key());
  CHECK(pinned_root_parse("k4.secret.AAAA").error() == errc::wrong_version);
  CHECK(pinned_root_parse("k4.public.AAAA").error() == errc::malformed);
}
