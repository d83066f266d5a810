#include "core/views.hpp"

#include "domain/product_policy.hpp"
#include "licensor/rfc3339.hpp"

namespace licensor::server {

nlohmann::json text_or_null(const std::string& text) { return text.empty() ? nlohmann::json() : nlohmann::json(text); }

nlohmann::json time_or_null(std::int64_t at) { return at == 0 ? nlohmann::json() : nlohmann::json(rfc3339_format(at)); }

nlohmann::json delivery_attempt_view(const store::delivery_attempt& attempt) {
  auto view = nlohmann::json{{"event_id", attempt.event_id},
                             {"event_type", attempt.event_type},
                             {"attempt", attempt.attempt},
                             {"at", rfc3339_format(attempt.at)},
                             {"status", attempt.status == 0 ? nlohmann::json() : nlohmann::json(attempt.status)},
                             {"latency_ms", attempt.latency_ms},
                             {"error", text_or_null(attempt.error)},
                             {"outcome", attempt.outcome}};
  if (!attempt.recipient.empty()) view["recipient"] = attempt.recipient;
  return view;
}

nlohmann::json partner_view(const partner_record& partner) {
  return {{"id", partner.id},
          {"name", partner.name},
          {"level", partner.level},
          {"email_domains", partner.email_domains},
          {"can_issue", partner.can_issue},
          {"discount_percent", partner.discount_percent},
          {"notification_email", text_or_null(partner.notification_email)},
          {"language", partner.language},
          {"deliver_at_issuance", partner.deliver_at_issuance},
          {"enabling_requested_at",
           time_or_null(partner.enabling_requested_at)},
          {"enabling_request", partner.enabling_status.empty()
                                   ? nlohmann::json()
                                   : nlohmann::json{{"status", partner.enabling_status},
                                                    {"message", partner.enabling_message},
                                                    {"requested_by", partner.enabling_requested_by},
                                                    {"requested_at", time_or_null(partner.enabling_requested_at)},
                                                    {"reply", text_or_null(partner.enabling_reply)},
                                                    {"decided_at", time_or_null(partner.enabling_decided_at)}}},
          {"created_at", rfc3339_format(partner.created_at)}};
}

nlohmann::json usage_view(const partner_usage& usage) {
  return {{"free_licenses_used", usage.free_licenses_used}, {"free_license_cap", usage.free_license_cap}};
}

nlohmann::json customer_view(const customer_record& customer) {
  return {{"id", customer.id},
          {"partner_id", customer.partner_id},
          {"email", customer.email},
          {"name", customer.name},
          {"vat_number", text_or_null(customer.vat_number)},
          {"address", text_or_null(customer.address)},
          {"created_at", rfc3339_format(customer.created_at)},
          {"self_service", customer.self_service},
          {"manages_own_notifications", customer.manages_own_notifications},
          {"language", customer.language}};
}

nlohmann::json product_view(const product_record& product) {
  return {{"id", product.id},
          {"name", product.name},
          {"tiers", product.tiers},
          {"min_version", product.min_version},
          {"min_version_from", [&] {
             auto from = nlohmann::json::object();
             for (const auto& [kind, at] : product.min_version_from) from[kind] = rfc3339_format(at);
             return from;
           }()},
          {"prices", product.prices},
          {"policy", {{"free", product_policy_of(product, license_kind::free)}, {"trial", product_policy_of(product, license_kind::trial)}}},
          {"created_at", rfc3339_format(product.created_at)}};
}

license_public license_public_of(const license_record& license) {
  return {.id = license.id,
          .product = license.product,
          .tier = license.tier,
          .kind = license.kind,
          .status = license.status,
          .seats = license.seats,
          .features = license.features,
          .expires_at = time_or_null(license.expires_at),
          .notices = license.compliance.rules,
          .notices_deadline = license.compliance.flagged() ? time_or_null(license.compliance.deadline) : nlohmann::json()};
}

nlohmann::json license_public_view(const license_record& license) { return license_public_of(license); }

nlohmann::json license_view(const license_record& license) {
  auto view = license_public_view(license);
  view["partner_id"] = license.partner_id;
  view["customer_id"] = text_or_null(license.customer_id);
  view["email"] = license.email;
  view["activation_key"] = license.activation_key;
  view["token"] = license.token;
  view["kid"] = license.kid;
  view["issued_at"] = rfc3339_format(license.issued_at);
  view["updated_at"] = rfc3339_format(license.updated_at);
  if (!license.min_version.empty()) view["min_version"] = license.min_version;
  if (!license.fingerprint.empty()) view["fingerprint"] = license.fingerprint;
  view["app_version_seen"] = text_or_null(license.app_version_seen);
  view["app_version_seen_at"] = time_or_null(license.app_version_seen_at);
  auto highs = nlohmann::json::array();
  for (const auto& high : license.app_version_highs)
    highs.push_back({{"version", high.version}, {"first_seen_at", time_or_null(high.at)}});
  view["app_versions_first_seen"] = std::move(highs);
  view["campaigns"] = license.campaigns;
  view["compliance"] = license.compliance.flagged()
                           ? nlohmann::json{{"rules", license.compliance.rules},
                                            {"since", time_or_null(license.compliance.since)},
                                            {"deadline", time_or_null(license.compliance.deadline)},
                                            {"deadline_warned", license.compliance.deadline_warned}}
                           : nlohmann::json();
  return view;
}

}  // namespace licensor::server
