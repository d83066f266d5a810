#include "api/scope.hpp"

namespace licensor::server {

std::string acting_partner(const api_call& call, const body_reader& body) {
  auto named = body.optional_string("partner_id");
  if (call.who.kind == caller_kind::partner) {
    if (named && *named != call.who.partner_id) refuse(errc::partner_not_found);
    return call.who.partner_id;
  }
  if (!named) refuse(errc::bad_request, "field 'partner_id' is required for operators");
  return *named;
}

std::string listing_partner(const api_call& call) {
  if (call.who.kind == caller_kind::partner) return call.who.partner_id;
  const auto it = call.query.find("partner_id");
  return it == call.query.end() ? std::string() : it->second;
}

}  // namespace licensor::server
