// What the keys suites share: a scratch directory removed afterwards, and key-dir options
// with the cheapest Argon2id cost libsodium allows so the suite stays fast.
#pragma once

#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "licensor/keys/key_dir.hpp"

namespace licensor::testing {

class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "licensor-keys-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

/// The clock of the key-directory tests: a fixed time, so keyrings and audit lines are repeatable.
inline constexpr unix_seconds now = 1'790'000'000;

inline keys::key_dir_options cheap_options(std::string passphrase = "correct horse") {
  keys::key_dir_options options;
  options.passphrase = std::move(passphrase);
  options.limits = {crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_OPSLIMIT_MIN};
  return options;
}

/// Permission bits of a file (the low 9 bits of st_mode).
inline unsigned file_mode(const std::filesystem::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) return 0;
  return info.st_mode & 0777;
}

/// Every entry below `dir`, recursively, as paths relative to it.
inline std::vector<std::string> tree(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    names.push_back(std::filesystem::relative(entry.path(), dir).string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace licensor::testing
