#include "licensor/pae.hpp"

namespace licensor {
namespace {

void append_le64(std::vector<std::uint8_t>& out, std::uint64_t n) {
  n &= 0x7FFFFFFFFFFFFFFFull;  // the spec clears the top bit for interoperability
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
}

}  // namespace

std::vector<std::uint8_t> pae(std::initializer_list<std::string_view> pieces) {
  std::size_t total = 8;
  for (const auto piece : pieces) total += 8 + piece.size();
  std::vector<std::uint8_t> out;
  out.reserve(total);
  append_le64(out, pieces.size());
  for (const auto piece : pieces) {
    append_le64(out, piece.size());
    out.insert(out.end(), piece.begin(), piece.end());
  }
  return out;
}

}  // namespace licensor
