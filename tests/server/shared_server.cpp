#include <memory>

#include "server_test.hpp"

namespace licensor::testing {

licensord_process& shared_server() {
  static const std::unique_ptr<licensord_process> server = std::make_unique<licensord_process>();
  return *server;
}

}  // namespace licensor::testing
