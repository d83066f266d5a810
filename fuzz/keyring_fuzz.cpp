// Keyrings, two ways in. Byte 0 bit 0 clear: the rest is a keyring token as fetched from a
// server (keyring_parse of the raw text too, for the JSON path). Bit 0 set: the rest is a
// keyring payload the harness signs with the pinned root, so keyring_parse's checks run on
// signed input and a loaded keyring is then exercised: a revoked or unlisted kid must never
// verify a license.
#include "fuzz_common.hpp"
#include "licensor/signed_document.hpp"
#include "licensor/verifier.hpp"

namespace {
using namespace licensor;

const std::string& license_with(const SecretKey& key) {
  static std::string tokens[4];
  static bool made = false;
  if (!made) {
    const SecretKey* keys[] = {&fuzz::signing_key(), &fuzz::retired_key(), &fuzz::revoked_key(), &fuzz::root_key()};
    for (int i = 0; i < 4; ++i) tokens[i] = license_token_sign(fuzz::sample_claims(), *keys[i]);
    made = true;
  }
  if (&key == &fuzz::signing_key()) return tokens[0];
  if (&key == &fuzz::retired_key()) return tokens[1];
  if (&key == &fuzz::revoked_key()) return tokens[2];
  return tokens[3];
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto rest = fuzz::as_text(data + 1, size - 1);
  const std::vector<PublicKey> roots{fuzz::root_key().public_key()};

  std::string token;
  if ((data[0] & 1) == 0) {
    token = std::string(rest);
    (void)keyring_parse(rest);
  } else {
    token = signed_document_sign(fuzz::root_key(), rest, keyring_assertion);
  }
  auto document = keyring_verify(token, roots);

  license_verifier verifier(roots);
  std::uint64_t highest = (data[0] & 2) ? 2 : 0;
  const auto before = highest;
  const auto status = verifier.load_keyring(token, highest);
  if (status != verify_status::valid) {
    if (highest != before || verifier.keyring_version() != 0) fuzz::fail("failed load changed state");
    return 0;
  }
  if (!document) fuzz::fail("load_keyring accepted what keyring_verify refused");
  if (highest != document->version || document->version < before) fuzz::fail("rollback counter");

  verify_context ctx;
  ctx.product = std::string(fuzz::product);
  ctx.now = fuzz::issued_at + 86'400;
  for (const SecretKey* key : {&fuzz::signing_key(), &fuzz::retired_key(), &fuzz::revoked_key(), &fuzz::root_key()}) {
    unix_seconds last_trusted = 0;
    const auto outcome = verifier.verify(license_with(*key), ctx, last_trusted);
    const auto kid = paserk_pid(key->public_key());
    const bool accepted = outcome.status == verify_status::valid || outcome.status == verify_status::valid_in_grace;
    if (accepted && document->is_revoked(kid)) fuzz::fail("revoked kid verified a license");
    if (accepted && document->find(kid) == nullptr) fuzz::fail("unlisted kid verified a license");
    if (accepted && document->find(kid)->public_key != key->public_key()) fuzz::fail("kid/key mismatch accepted");
  }
  return 0;
}
