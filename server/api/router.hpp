// Routes a request to its handler: matches method and path, authenticates the caller,
// parses the JSON body, and turns refusal into the error shape. Never throws; never
// answers 5xx for anything a client sent.
#pragma once

#include "api/api_types.hpp"
#include "api/cookies.hpp"
#include "api/service.hpp"

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace licensor::server {

using handler = void (*)(service&, api_call&, responder);

/// One route as the router enforces it: method, path ("{}" for one segment) and the permission
/// it needs (none: anyone may call it). For documentation checks (docs/roles.md, OpenAPI).
struct route_rule {
  std::string_view method;
  std::string_view pattern;
  std::optional<permission> needed;
};
[[nodiscard]] std::vector<route_rule> route_rules();

class router {
 public:
  explicit router(service& svc);
  ~router();
  router(const router&) = delete;
  router& operator=(const router&) = delete;
  /// Calls `respond` exactly once, possibly later and from another thread.
  void handle(const api_request& request, responder respond);

 private:
  /// The caller of `request`; the snapshot it was checked in goes to `keep` when that is given.
  [[nodiscard]] caller authenticate(const api_request& request, std::unique_ptr<store::read_view>* keep) const;
  [[nodiscard]] caller credential_check(const api_request& request, std::unique_ptr<store::read_view>* keep) const;
  [[nodiscard]] caller session_check(const api_request& request, std::string_view secret,
                                     std::unique_ptr<store::read_view>* keep) const;
  /// Wraps `respond` to count the answer and its latency under route `index` (or, for no
  /// route, under "unmatched" and `method`).
  [[nodiscard]] responder counted(std::optional<std::size_t> index, std::string_view method, responder respond);

  struct route_instruments;  // router.cpp
  service& service_;
  std::vector<std::unique_ptr<route_instruments>> instruments_;  ///< one per route, in table order
};

}  // namespace licensor::server
