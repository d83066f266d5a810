#include "licensor/id_random.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstddef>

namespace licensor {

void id_random_bytes(std::span<unsigned char> out) noexcept {
  thread_local std::array<unsigned char, 1024> pool;
  thread_local std::size_t used = pool.size();
  if (out.size() > pool.size()) return randombytes_buf(out.data(), out.size());
  if (pool.size() - used < out.size()) {
    randombytes_buf(pool.data(), pool.size());
    used = 0;
  }
  std::copy_n(pool.begin() + static_cast<std::ptrdiff_t>(used), out.size(), out.begin());
  used += out.size();
}

}  // namespace licensor
