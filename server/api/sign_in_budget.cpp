#include "api/sign_in_budget.hpp"

namespace licensor::server {

sign_in_budget::sign_in_budget(service_limiters& limits, std::string client, std::string account, std::string device_hash)
    : limits_(limits), client_(std::move(client)), account_(std::move(account)), device_hash_(std::move(device_hash)) {
  if (!device_hash_.empty()) {
    if (auto wait = limits_.sign_in_failures_by_device.take(device_hash_)) refuse_rate_limited(*wait);
    return;
  }
  if (auto wait = limits_.sign_in_failures_by_client.take(client_)) refuse_rate_limited(*wait);
  if (auto wait = limits_.sign_in_failures_by_account.take(account_)) {
    limits_.sign_in_failures_by_client.give_back(client_);
    refuse_rate_limited(*wait);
  }
}

void sign_in_budget::give_back() {
  if (!device_hash_.empty()) {
    limits_.sign_in_failures_by_device.give_back(device_hash_);
    return;
  }
  limits_.sign_in_failures_by_client.give_back(client_);
  limits_.sign_in_failures_by_account.give_back(account_);
}

}  // namespace licensor::server
