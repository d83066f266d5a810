// licensorctl: the operators' tool for keys and offline token checks. The one place that
// reads the clock, prints and exits; everything else returns a cli_output.
#include <sodium.h>

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "dispatch.hpp"
#include "kdf_limits.hpp"

int main(int argc, char** argv) {
  using namespace licensor::cli;
  if (sodium_init() < 0) {
    std::cerr << "licensorctl: error: internal: libsodium failed to initialise\n";
    return exit_code_for("internal");
  }
  const std::vector<std::string> args(argv + 1, argv + argc);
  const cli_context context{
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count(),
      cli_kdf_limits()};
  const cli_output output = cli_dispatch(args, context);
  std::cout << output.out << std::flush;
  std::cerr << output.err << std::flush;
  return output.exit_code;
}
