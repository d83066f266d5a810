// Where a backup goes: one new folder per snapshot under the server's backup folder, named so
// that a listing sorts by time.
#pragma once

#include <cstdint>
#include <filesystem>

namespace licensor::server {

/// backup_dir/backup-20261204T101500Z-3fa9c1: the time of `now`, then 24 random bits, so that
/// two backups in one second get two folders.
[[nodiscard]] std::filesystem::path backup_folder(const std::filesystem::path& backup_dir, std::int64_t now);

}  // namespace licensor::server
