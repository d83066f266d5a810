// Writes seed inputs made with the fixed fuzz keys (fuzz_common.hpp) into OUT_DIR/<target>/.
// Usage: fuzz_seed_gen OUT_DIR. Run by hand when the token or keyring format changes.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "fuzz_common.hpp"
#include "licensor/signed_document.hpp"

namespace {
using namespace licensor;

void write(const std::filesystem::path& dir, const std::string& name, std::string_view content) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << content;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_seed_gen OUT_DIR\n";
    return 2;
  }
  const std::filesystem::path out = argv[1];
  const auto claims = fuzz::sample_claims();
  auto perpetual = claims;
  perpetual.exp.reset();
  perpetual.fingerprint.reset();
  perpetual.min_version.reset();
  perpetual.max_version.reset();
  const std::string claims_json = claims_to_json(claims);
  const std::string perpetual_json = claims_to_json(perpetual);

  // token: byte 0 = mode/context flags (see token_fuzz.cpp)
  write(out / "token", "raw-valid", std::string(1, '\x00') + license_token_sign(claims, fuzz::signing_key()));
  write(out / "token", "raw-valid-all-context", std::string(1, '\x70') + license_token_sign(claims, fuzz::signing_key()));
  write(out / "token", "raw-retired", std::string(1, '\x00') + license_token_sign(perpetual, fuzz::retired_key()));
  write(out / "token", "raw-revoked", std::string(1, '\x00') + license_token_sign(claims, fuzz::revoked_key()));
  write(out / "token", "signed-claims", std::string(1, '\x71') + claims_json);
  write(out / "token", "signed-claims-expired-grace", std::string(1, '\xf9') + claims_json);
  write(out / "token", "signed-perpetual", std::string(1, '\x01') + perpetual_json);
  write(out / "token", "signed-retired", std::string(1, '\x03') + perpetual_json);

  // keyring: byte 0 bit 0 = the harness signs the payload
  const auto keyring = fuzz::fixed_keyring_document();
  write(out / "keyring", "raw-valid", std::string(1, '\x00') + fuzz::fixed_keyring_token());
  write(out / "keyring", "raw-valid-rollback", std::string(1, '\x02') + fuzz::fixed_keyring_token());
  write(out / "keyring", "signed-payload", std::string(1, '\x01') + keyring_to_json(keyring));
  write(out / "keyring", "raw-json", std::string(1, '\x00') + keyring_to_json(keyring));
  write(out / "keyring", "wrong-root",
        std::string(1, '\x00') + keyring_sign(keyring, fuzz::signing_key()));

  // paserk
  write(out / "paserk", "public", paserk_public(fuzz::signing_key().public_key()));
  write(out / "paserk", "secret", paserk_secret(fuzz::signing_key()));
  write(out / "paserk", "pid", paserk_pid(fuzz::signing_key().public_key()).value);
  write(out / "paserk", "sid", paserk_sid(fuzz::signing_key()));
  auto wrapped = paserk_secret_pw_wrap(fuzz::signing_key(), "fuzz password",
                                       pbkw_limits{.memlimit_bytes = 8192, .opslimit = 1});
  if (!wrapped) return 1;
  write(out / "paserk", "secret-pw-cheap", *wrapped);

  // claims
  write(out / "claims", "full", claims_json);
  write(out / "claims", "perpetual", perpetual_json);
  return 0;
}
