// verifier_app_cpp: the same offline check through the C++ API (licensor/verifier.hpp).
//
//   verifier_app_cpp ROOT_FILE KEYRING_FILE LICENSE_FILE PRODUCT
//
// Keeps no state between runs, unlike verifier_app: a real app persists highest_seen and
// last_trusted. Exit status: 0 licensed, 1 not licensed, 2 usage or I/O error.
#include <cctype>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "licensor/verifier.hpp"

namespace {

std::string read_token(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  auto token = text.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  return token;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: " << argv[0] << " ROOT_FILE KEYRING_FILE LICENSE_FILE PRODUCT\n";
    return 2;
  }
  const auto root = licensor::pinned_root_parse(read_token(argv[1]));
  if (!root) {
    std::cerr << "the pinned root is not a k4.public key\n";
    return 2;
  }
  licensor::license_verifier verifier({*root});
  std::uint64_t highest_seen = 0;
  if (const auto status = verifier.load_keyring(read_token(argv[2]), highest_seen);
      status != licensor::verify_status::valid) {
    std::cout << "keyring: " << licensor::verify_status_name(status) << '\n';
    return 1;
  }

  licensor::verify_context ctx;
  ctx.now = std::time(nullptr);
  ctx.product = argv[4];
  licensor::unix_seconds last_trusted = 0;
  const auto outcome = verifier.verify(read_token(argv[3]), ctx, last_trusted);
  std::cout << "license: " << licensor::verify_status_name(outcome.status) << '\n';
  if (outcome.status != licensor::verify_status::valid &&
      outcome.status != licensor::verify_status::valid_in_grace)
    return 1;
  std::cout << "  id       " << outcome.claims.sub << "\n  email    " << outcome.claims.email
            << "\n  seats    " << outcome.claims.seats << "\n  signer   " << outcome.kid.value
            << '\n';
  return 0;
}
