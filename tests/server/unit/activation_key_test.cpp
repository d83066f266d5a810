// Activation keys: typed forms map to one canonical key, and the check character catches typos.
#include <doctest/doctest.h>

#include <set>

#include "domain/activation_key.hpp"

using namespace licensor::server;

TEST_CASE("generated keys have four groups and a check character, and are canonical-stable") {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const auto key = activation_key_generate();
    CHECK(key.size() == 21);
    CHECK(key[4] == '-');
    CHECK(key[19] == '-');
    const auto canonical = activation_key_canonical(key);
    REQUIRE(canonical.has_value());
    CHECK(canonical->size() == 16);
    CHECK(seen.insert(*canonical).second);
  }
}

TEST_CASE("lower case, missing dashes and look-alike letters read as the same key") {
  const auto key = activation_key_generate();
  const auto canonical = *activation_key_canonical(key);
  std::string lower;
  for (const char c : key) lower += c == '-' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  CHECK(activation_key_canonical(lower) == canonical);
  std::string look_alike = key;
  for (auto& c : look_alike) {
    if (c == '1') c = 'l';
    if (c == '0') c = 'O';
  }
  CHECK(activation_key_canonical(look_alike) == canonical);
}

TEST_CASE("any single mistyped symbol is caught by the check character") {
  const auto key = activation_key_generate();
  const std::string symbols = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  for (std::size_t i = 0; i < key.size() - 2; ++i) {
    if (key[i] == '-') continue;
    for (const char replacement : symbols) {
      if (replacement == key[i]) continue;
      auto typo = key;
      typo[i] = replacement;
      CAPTURE(typo);
      CHECK_FALSE(activation_key_canonical(typo).has_value());
    }
  }
  CHECK_FALSE(activation_key_canonical("").has_value());
  CHECK_FALSE(activation_key_canonical(key + "0").has_value());
  CHECK_FALSE(activation_key_canonical(key.substr(1)).has_value());
}
