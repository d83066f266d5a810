// Reading a command's input file, where "-" means standard input.
#pragma once

#include <string>

#include "licensor/keys/file_io.hpp"

namespace licensor::cli {

/// Errors: io_error, payload_too_large (over 1 MiB).
[[nodiscard]] inline result<std::string> input_read(const std::string& path_or_dash) {
  return keys::file_read(path_or_dash == "-" ? "/dev/stdin" : path_or_dash);
}

}  // namespace licensor::cli
