// Careful file I/O for key directories (STYLE.md habit 15): whole-file reads with a size cap,
// and crash-safe writes that publish a file only once it is complete and on disk.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "licensor/result.hpp"

namespace licensor::keys {

/// Permission bits a new file gets (further narrowed by the umask).
enum class file_access { owner_only, world_readable };  // 0600, 0644
/// What file_write_atomic does when the target name already exists.
enum class file_overwrite { refuse, replace };

/// Writes `content` to a temporary file beside `file` (O_CREAT|O_EXCL|O_WRONLY), fsyncs it,
/// publishes it under `file` (link(2) for refuse, rename(2) for replace), then fsyncs the
/// directory. The temporary file is removed on every path. Errors: already_exists (refuse and
/// `file` exists), io_error.
[[nodiscard]] result<void> file_write_atomic(const std::filesystem::path& file, std::string_view content,
                                             file_access access, file_overwrite overwrite);

/// Reads a whole file. Errors: io_error (missing, unreadable), payload_too_large (over
/// max_bytes: key-dir files are small, so a huge one is not ours).
[[nodiscard]] result<std::string> file_read(const std::filesystem::path& file,
                                            std::size_t max_bytes = 1024 * 1024);

/// Creates `dir` with mode 0700 if it does not exist (its parent must). Errors: io_error.
[[nodiscard]] result<void> directory_create_private(const std::filesystem::path& dir);

/// The text of a one-line file: `text` without trailing ASCII white space.
[[nodiscard]] std::string_view line_trim(std::string_view text) noexcept;

}  // namespace licensor::keys
