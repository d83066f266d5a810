// The backends the store contract runs against. Each opens a fresh, empty store in a directory
// the test owns; adding a backend here runs the whole contract suite on it.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace licensor::store::testing {

struct backend {
  std::string name;
  /// Opens (or reopens, to check durability) the store kept in `dir`.
  std::function<std::unique_ptr<store>(const std::filesystem::path& dir)> open;
};

[[nodiscard]] const std::vector<backend>& store_backends();

}  // namespace licensor::store::testing
