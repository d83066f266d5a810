#include "core/devices.hpp"

#include <algorithm>

namespace licensor::server {

bool device_known(const user_record& user, std::string_view device_hash) {
  return !device_hash.empty() &&
         std::find(user.device_hashes.begin(), user.device_hashes.end(), device_hash) != user.device_hashes.end();
}

void device_remember(user_record& user, const std::string& device_hash) {
  auto& devices = user.device_hashes;
  std::erase(devices, device_hash);
  devices.push_back(device_hash);
  if (devices.size() > devices_remembered)
    devices.erase(devices.begin(), devices.end() - static_cast<std::ptrdiff_t>(devices_remembered));
}

}  // namespace licensor::server
