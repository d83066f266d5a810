// Operators define products: ordered tiers, per license kind a minimum app version, per tier
// prices, and the policy of what free and trial licenses may grant (domain/product_policy.hpp).
#include <algorithm>
#include <optional>

#include "api/body_reader.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "core/views.hpp"
#include "domain/product_policy.hpp"
#include "licensor/claims.hpp"
#include "licensor/rfc3339.hpp"
#include "core/products.hpp"
#include "subscription/charges.hpp"

namespace licensor::server {
namespace {

bool slug_ok(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// {"currency": "EUR", "seat_month": 1000, "seat_year": 10000}: amounts in minor units.
std::optional<tier_price> tier_price_parse(const nlohmann::json& price) {
  if (!price.is_object() || price.size() != 3) return std::nullopt;
  const auto currency = price.find("currency");
  if (currency == price.end() || !currency->is_string()) return std::nullopt;
  const auto& code = currency->get_ref<const std::string&>();
  if (code.size() != 3 || !std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return std::nullopt;
  std::int64_t amounts[2] = {};
  const char* names[2] = {"seat_month", "seat_year"};
  for (int i = 0; i < 2; ++i) {
    const auto amount = price.find(names[i]);
    if (amount == price.end() || !amount->is_number_integer()) return std::nullopt;
    amounts[i] = amount->get<std::int64_t>();
    if (amounts[i] < 0 || amounts[i] > subscription::price_max) return std::nullopt;
  }
  return tier_price{code, amounts[0], amounts[1]};
}

// {"free": {"tiers": [...], "max_seats": 1, "features": [...], "tier_features": {"pro": [...]}},
// "trial": {...}}. A field left out
// takes the kind's default for this product, and a kind left out keeps all its defaults, so what
// is stored is complete and reads the same whatever the defaults later become.
std::map<std::string, kind_policy> policy_parse(const nlohmann::json& policy, const product_record& product) {
  std::map<std::string, kind_policy> out;
  for (const auto& [kind_name, fields] : policy.items()) {
    const auto kind = license_kind_parse(kind_name);
    if (!kind || !product_policy_governs(*kind))
      refuse(errc::bad_request, "field 'policy' sets 'free' and 'trial' only (paid licenses are not limited)");
    const auto name = "policy." + kind_name;
    if (!fields.is_object()) refuse(errc::bad_request, "field '" + name + "' must be an object");
    auto rules = product_policy_default(product, *kind);
    try {
      const body_reader reader(fields, {"tiers", "max_seats", "features", "tier_features"});
      if (auto tiers = reader.optional_strings("tiers")) {
        for (const auto& tier : *tiers)
          if (std::find(product.tiers.begin(), product.tiers.end(), tier) == product.tiers.end())
            refuse(errc::bad_request, "field 'tiers' names '" + tier + "', not a tier of the product");
        rules.tiers = std::move(*tiers);
      }
      if (auto seats = reader.optional_integer("max_seats", 1, 1'000'000)) rules.max_seats = static_cast<std::uint32_t>(*seats);
      if (auto features = reader.optional_strings("features")) rules.features = std::move(*features);
      if (const auto* per_tier = reader.optional_object("tier_features")) {
        for (const auto& [tier, features] : per_tier->items()) {
          if (std::find(product.tiers.begin(), product.tiers.end(), tier) == product.tiers.end())
            refuse(errc::bad_request, "field 'tier_features' names '" + tier + "', not a tier of the product");
          if (!features.is_array() || !std::all_of(features.begin(), features.end(), [](const auto& f) { return f.is_string(); }))
            refuse(errc::bad_request, "field 'tier_features." + tier + "' must be an array of strings");
          rules.tier_features[tier] = features.template get<std::vector<std::string>>();
        }
      }
    } catch (refusal& error) {
      error.message = "in '" + name + "': " + error.message;
      throw;
    }
    out[kind_name] = std::move(rules);
  }
  return out;
}

// {"free": "20"}: per license kind, a version.
std::map<std::string, std::string> min_version_parse(const nlohmann::json& versions) {
  std::map<std::string, std::string> out;
  for (const auto& [kind, version] : versions.items()) {
    if (!license_kind_parse(kind) || !version.is_string() || !app_version_well_formed(version.get<std::string>()))
      refuse(errc::bad_request, "field 'min_version' maps free|trial|paid to a version like \"20\"");
    out[kind] = version.get<std::string>();
  }
  return out;
}

// {"free": "2024-03-31T00:00:00Z"}: per license kind, from when the sweep holds licenses to min_version.
std::map<std::string, std::int64_t> min_version_from_parse(const nlohmann::json& from) {
  std::map<std::string, std::int64_t> out;
  for (const auto& [kind, at] : from.items()) {
    const auto parsed = at.is_string() ? rfc3339_parse(at.get<std::string>()) : result<unix_seconds>(errc::malformed);
    if (!license_kind_parse(kind) || !parsed)
      refuse(errc::bad_request, "field 'min_version_from' maps free|trial|paid to an RFC 3339 time");
    out[kind] = *parsed;
  }
  return out;
}

// {"tier": {"currency": "EUR", "seat_month": 1000, "seat_year": 10000}} in minor units.
std::map<std::string, tier_price> prices_parse(const nlohmann::json& prices, const std::vector<std::string>& tiers) {
  std::map<std::string, tier_price> out;
  for (const auto& item : prices.items()) {
    const auto price = tier_price_parse(item.value());
    if (std::find(tiers.begin(), tiers.end(), item.key()) == tiers.end() || !price)
      refuse(errc::bad_request,
             "field 'prices' maps a tier to {\"currency\": \"EUR\", \"seat_month\": minor units, \"seat_year\": minor units}");
    out[item.key()] = *price;
  }
  return out;
}

std::vector<std::string> tiers_parse(const body_reader& body) {
  auto tiers = body.optional_strings("tiers").value_or(std::vector<std::string>{"standard"});
  if (tiers.empty() || !std::all_of(tiers.begin(), tiers.end(), slug_ok))
    refuse(errc::bad_request, "field 'tiers' must list tier ids, lowest first");
  return tiers;
}

}  // namespace

void product_create(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"id", "name", "tiers", "min_version", "min_version_from", "prices", "policy"});
  product_record product;
  product.id = body.string("id");
  if (!slug_ok(product.id)) refuse(errc::bad_request, "field 'id' must be 1-64 of a-z, 0-9, '-', '_'");
  product.name = body.optional_string("name").value_or(product.id);
  product.tiers = tiers_parse(body);
  if (const auto* versions = body.optional_object("min_version")) product.min_version = min_version_parse(*versions);
  if (const auto* from = body.optional_object("min_version_from")) product.min_version_from = min_version_from_parse(*from);
  if (const auto* prices = body.optional_object("prices")) product.prices = prices_parse(*prices, product.tiers);
  if (const auto* policy = body.optional_object("policy")) product.policy = policy_parse(*policy, product);
  product.created_at = svc.now();
  svc.commit(call, [who = call.who, product, now = svc.now()](store::write_view& write, const signing&) {
    product_create(write, who, product, now);
    return answer(product_view(product), 201);
  }, std::move(respond));
}

void product_list(service& svc, api_call& call, responder respond) {
  respond(page_answer(must(svc.read()->products_list(page_of(call))), product_view));
}

void product_get(service& svc, api_call& call, responder respond) {
  respond(answer(product_view(found(svc.read()->product_get(call.params[0]), errc::product_not_found))));
}

// Corrects a product; each field given replaces what is stored: name, tiers (appended only),
// min_version and min_version_from (per kind, whole), prices (whole), policy (whole: a kind left
// out goes back to its defaults, {} resets all).
void product_update(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"name", "tiers", "min_version", "min_version_from", "prices", "policy"});
  if (call.body.empty()) refuse(errc::bad_request, "give at least one field to change");
  for (const auto& [field, value] : call.body.items())
    if (value.is_null()) refuse(errc::bad_request, "field '" + field + "' must not be null");
  auto name = body.optional_string("name");
  std::optional<std::vector<std::string>> tiers;
  if (call.body.contains("tiers")) tiers = tiers_parse(body);
  std::optional<std::map<std::string, std::string>> versions;
  if (const auto* given = body.optional_object("min_version")) versions = min_version_parse(*given);
  std::optional<std::map<std::string, std::int64_t>> from;
  if (const auto* given = body.optional_object("min_version_from")) from = min_version_from_parse(*given);
  const auto* prices = body.optional_object("prices");
  const auto* policy = body.optional_object("policy");
  svc.commit(call, [who = call.who, id = call.params[0], name, tiers, versions, from,
                    prices = prices ? std::optional(*prices) : std::nullopt,
                    policy = policy ? std::optional(*policy) : std::nullopt,
                    now = svc.now()](store::write_view& write, const signing&) {
    const auto product = product_update(write, who, id, [&](product_record& stored) {
      if (name) stored.name = *name;
      if (tiers) stored.tiers = *tiers;
      if (versions) stored.min_version = *versions;
      if (from) stored.min_version_from = *from;
      if (prices) stored.prices = prices_parse(*prices, stored.tiers);
      if (policy) stored.policy = policy_parse(*policy, stored);
    }, now);
    return answer(product_view(product));
  }, std::move(respond));
}

}  // namespace licensor::server
