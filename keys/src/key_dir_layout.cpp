#include "licensor/keys/key_dir.hpp"

namespace licensor::keys {

std::filesystem::path key_dir_root_public_path(const std::filesystem::path& dir) {
  return dir / "root.public";
}

std::filesystem::path key_dir_root_secret_path(const std::filesystem::path& dir) {
  return dir / "root.secret";
}

std::filesystem::path key_dir_keyring_path(const std::filesystem::path& dir) {
  return dir / "keyring.token";
}

std::filesystem::path key_dir_signing_path(const std::filesystem::path& dir) {
  return dir / "signing";
}

// The kid is base64url after "k4.pid.", so it is a safe file name as it stands.
std::filesystem::path key_dir_signing_secret_path(const std::filesystem::path& dir, const KeyId& kid) {
  return key_dir_signing_path(dir) / (kid.value + ".secret");
}

}  // namespace licensor::keys
