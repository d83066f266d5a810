#include "store/backup_files.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <fstream>
#include <vector>

namespace licensor::store {

namespace fs = std::filesystem;

result<file_digest> file_digest_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return errc::io_error;
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  file_digest out;
  std::vector<char> chunk(1 << 20);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(chunk.data()), got);
    out.bytes += got;
  }
  if (in.bad()) return errc::io_error;
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, hash);
  char hex[sizeof hash * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  out.sha256 = hex;
  return out;
}

result<void> path_sync(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errc::io_error;
  const int synced = ::fsync(fd);
  ::close(fd);
  return synced == 0 ? result<void>{} : result<void>{errc::io_error};
}

result<void> manifest_write(const fs::path& dir, const backup_manifest& manifest) {
  const auto temporary = dir / "manifest.json.partial";
  {
    std::ofstream out(temporary, std::ios::trunc);
    if (!out) return errc::io_error;
    out << nlohmann::json(manifest).dump(1) << '\n';
    if (!out.flush()) return errc::io_error;
  }
  std::error_code ec;
  fs::permissions(temporary, fs::perms::owner_read | fs::perms::owner_write, ec);
  if (auto synced = path_sync(temporary); !synced) return synced;
  fs::rename(temporary, dir / manifest_file, ec);
  if (ec) return errc::io_error;
  return path_sync(dir);
}

}  // namespace licensor::store
