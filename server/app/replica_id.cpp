#include "app/replica_id.hpp"

#include <sodium.h>
#include <unistd.h>

#include <array>
#include <fstream>

namespace licensor::server {

result<std::string> replica_id_ensure(const std::filesystem::path& data_dir) {
  const auto file = data_dir / "replica-id";
  {
    std::ifstream in(file);
    std::string id;
    if (in && std::getline(in, id) && !id.empty()) return id;
  }
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) host = {};
  std::array<unsigned char, 8> random{};
  randombytes_buf(random.data(), random.size());
  std::array<char, 2 * random.size() + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), random.data(), random.size());
  const std::string id = std::string(host.data()) + "-" + hex.data();
  const auto written = file.string() + ".new";
  {
    std::ofstream out(written, std::ios::trunc);
    out << id << "\n";
    if (!out.flush()) return errc::io_error;
  }
  std::error_code ec;
  std::filesystem::permissions(written, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  if (!ec) std::filesystem::rename(written, file, ec);
  if (ec) return errc::io_error;
  return id;
}

}  // namespace licensor::server
