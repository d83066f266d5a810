// The roles and what each may do (docs/roles.md), for clients that show or choose them.
#include "api/routes.hpp"
#include "domain/permissions.hpp"

namespace licensor::server {

void roles_list(service&, api_call&, responder respond) {
  auto items = nlohmann::json::array();
  for (const auto& role : roles_all()) {
    auto permissions = nlohmann::json::array();
    for (unsigned p = 0; p < static_cast<unsigned>(permission::count_); ++p) {
      if (role_allows(role, static_cast<permission>(p))) permissions.push_back(permission_name(static_cast<permission>(p)));
    }
    items.push_back({{"name", role.name}, {"kind", org_kind_name(role.kind)}, {"summary", role.summary},
                     {"permissions", std::move(permissions)}});
  }
  respond(answer({{"items", std::move(items)}, {"next", nullptr}}));
}

}  // namespace licensor::server
