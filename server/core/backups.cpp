#include "core/backups.hpp"

#include <sodium.h>

#include <string>

#include "licensor/rfc3339.hpp"

namespace licensor::server {

std::filesystem::path backup_folder(const std::filesystem::path& backup_dir, std::int64_t now) {
  auto time = rfc3339_format(now);  // 2026-12-04T10:15:00Z
  std::erase(time, '-');
  std::erase(time, ':');
  unsigned char random[3];
  randombytes_buf(random, sizeof random);
  char hex[sizeof random * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, random, sizeof random);
  return backup_dir / ("backup-" + time + "-" + hex);
}

}  // namespace licensor::server
