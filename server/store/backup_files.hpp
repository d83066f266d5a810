// What every backend's backup writes beside its snapshot: the snapshot's digest and the
// manifest (store::backup_manifest), flushed to disk. For the backends (store/lmdb/, store/pg/).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "store/store.hpp"

namespace licensor::store {

struct file_digest {
  std::uint64_t bytes = 0;
  std::string sha256;  ///< hex
};

/// The size and SHA-256 of `file`. Errors: io_error.
[[nodiscard]] result<file_digest> file_digest_of(const std::filesystem::path& file);

/// Flushes a file, or a folder after a rename into it, to disk. Errors: io_error.
[[nodiscard]] result<void> path_sync(const std::filesystem::path& path);

/// Writes `manifest` as `dir`/manifest.json (mode 0600) through a temporary file and a rename,
/// flushed. Errors: io_error.
[[nodiscard]] result<void> manifest_write(const std::filesystem::path& dir, const backup_manifest& manifest);

/// The manifest's file name in a backup folder.
inline constexpr const char* manifest_file = "manifest.json";

}  // namespace licensor::store
