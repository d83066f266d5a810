// The budget of wrong passwords a sign-in attempt draws on (api/service.hpp's rate_limits).
// An attempt from a known device of the account (core/devices.hpp) draws on that device's
// bucket alone; any other on its client address's and the account's. The try is taken before
// the password is hashed, so that concurrent guesses cannot all pass a check made before any of
// them was counted, and given back once the session is open (or when a right password only
// lacks its second factor).
//
// Thread safety: one object per attempt (copyable, to give back from the commit's callback);
// the limiters it draws on are shared, thread-safe and outlive every request.
#pragma once

#include <string>

#include "api/service.hpp"

namespace licensor::server {

class sign_in_budget {
 public:
  /// Takes one try for the attempt: from `device_hash`'s bucket when not empty, else from
  /// `client`'s and `account`'s. Throws rate_limited (with the wait) when one is empty, having
  /// taken nothing.
  sign_in_budget(service_limiters& limits, std::string client, std::string account, std::string device_hash);

  /// The attempt succeeded (or did not guess): its try goes back.
  void give_back();

 private:
  service_limiters& limits_;
  std::string client_, account_, device_hash_;
};

}  // namespace licensor::server
