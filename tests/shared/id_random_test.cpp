// Random bytes for identifiers (shared/include/licensor/id_random.hpp): from a pool per thread,
// never the same bytes twice, across refills and threads, and larger draws than the pool.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "licensor/id_random.hpp"

TEST_CASE("identifiers' random bytes never repeat, across refills of the pool and across threads") {
  const auto draw_many = [](std::vector<std::string>& out) {
    for (int i = 0; i < 5000; ++i) {  // 80,000 bytes: many refills of a 1 KiB pool
      std::array<unsigned char, 16> bytes{};
      licensor::id_random_bytes(bytes);
      out.emplace_back(bytes.begin(), bytes.end());
    }
  };
  std::vector<std::string> first, second;
  std::thread other([&] { draw_many(second); });
  draw_many(first);
  other.join();
  std::set<std::string> seen(first.begin(), first.end());
  seen.insert(second.begin(), second.end());
  CHECK(seen.size() == first.size() + second.size());

  std::vector<unsigned char> large(3000, 0);  // more than the pool holds
  licensor::id_random_bytes(large);
  CHECK(std::count(large.begin(), large.end(), 0) < 100);
}
