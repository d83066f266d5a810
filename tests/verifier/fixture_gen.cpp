// verifier_fixture_gen OUT_DIR: writes a root key, keyrings and license tokens for the
// install test, which feeds them to the example app built against the installed package.
// Times are relative to the real clock because the example app reads it.
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>

#include "licensor/paserk.hpp"
#include "verifier_fixture.hpp"

using namespace licensor;
using namespace licensor::testing;

namespace {

bool write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text << '\n';
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const unix_seconds now = std::time(nullptr);
  const auto root = SecretKey::generate();
  const auto signer = SecretKey::generate();
  const auto stranger = SecretKey::generate();

  auto claims = sample_claims();
  claims.iat = now - 86'400;
  claims.nbf = claims.iat;
  claims.exp = now + thirty_days;
  auto expired = claims;
  expired.exp = now - thirty_days;

  const bool ok =
      write_text(dir + "/root.k4public", paserk_public(root.public_key())) &&
      write_text(dir + "/keyring_v1.token", keyring_token(root, 1, {keyring_entry_for(signer)})) &&
      write_text(dir + "/keyring_v2.token", keyring_token(root, 2, {keyring_entry_for(signer)})) &&
      write_text(dir + "/license.token", license_token_sign(claims, signer)) &&
      write_text(dir + "/license_expired.token", license_token_sign(expired, signer)) &&
      write_text(dir + "/license_unknown_key.token", license_token_sign(claims, stranger));
  if (!ok) {
    std::fprintf(stderr, "cannot write into %s\n", dir.c_str());
    return 1;
  }
  return 0;
}
