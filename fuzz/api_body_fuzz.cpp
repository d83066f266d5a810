// Request bodies for every POST and PATCH route. Byte 0 picks the route (low 5 bits) and the
// caller (bit 5: operator, else the partner's API key); the rest is the JSON body, sent as is
// after placeholder replacement (@c, @p, ... see router_fixture.hpp).
#include <array>

#include "router_fixture.hpp"

namespace {

struct body_route {
  const char* method;
  const char* target;  // placeholders allowed
};

constexpr std::array routes{
    body_route{"POST", "/v1/activate"},           body_route{"POST", "/v1/validate"},
    body_route{"POST", "/v1/partners"},           body_route{"PATCH", "/v1/partners/@p"},
    body_route{"POST", "/v1/partners/@p/api-keys"}, body_route{"POST", "/v1/products"},
    body_route{"POST", "/v1/customers"},          body_route{"POST", "/v1/licenses"},
    body_route{"POST", "/v1/licenses/@l/suspend"}, body_route{"POST", "/v1/licenses/@l/reinstate"},
    body_route{"POST", "/v1/licenses/@l/revoke"}, body_route{"POST", "/v1/licenses/@l/unlink"},
    body_route{"POST", "/v1/licenses/@l/transfer"}, body_route{"POST", "/v1/keys/rotate"},
    body_route{"POST", "/v1/keys/@i/revoke"},     body_route{"POST", "/v1/test/clock"},
    body_route{"POST", "/v1/subscriptions"},      body_route{"POST", "/v1/licenses/@l/seats"},
    body_route{"POST", "/v1/licenses/@l/members"}, body_route{"POST", "/v1/licenses/@l/upgrade"},
    body_route{"POST", "/v1/licenses/@l/scheduled-change"}, body_route{"POST", "/v1/licenses/@l/auto-renew"},
    body_route{"POST", "/v1/licenses/@l/cancel"}, body_route{"POST", "/v1/licenses/@l/reactivate"},
    body_route{"POST", "/v1/licenses/@l/convert"}, body_route{"POST", "/v1/customers/@c/reassign"},
    body_route{"POST", "/v1/licenses"},           body_route{"POST", "/v1/activate"},
    body_route{"POST", "/v1/validate"},           body_route{"PATCH", "/v1/products/acme-editor"},
    body_route{"PATCH", "/v1/partners/@p"},       body_route{"POST", "/v1/licenses/@l/transfer"},
};
static_assert(routes.size() == 32, "byte 0's low 5 bits pick a route");

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)licensor::fuzz::the_fixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace licensor;
  if (size == 0) return 0;
  auto& f = fuzz::the_fixture();
  const auto& route = routes[data[0] & 0x1f];
  const std::string auth = "Bearer " + ((data[0] & 0x20) ? f.operator_token : f.partner_key);
  const auto body = fuzz::replace_placeholders(std::string(fuzz::as_text(data + 1, size - 1)), f);
  (void)fuzz::send(f, fuzz::make_request(route.method, fuzz::replace_placeholders(route.target, f), auth, body));
  return 0;
}
