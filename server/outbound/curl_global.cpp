#include "outbound/curl_global.hpp"

#include <curl/curl.h>

#include <mutex>

namespace licensor::server {

void curl_global_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace licensor::server
