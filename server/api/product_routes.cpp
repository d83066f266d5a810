// Operators define products: ordered tiers and, per license kind, a minimum app version.
#include <algorithm>
#include <optional>

#include "api/body_reader.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "api/views.hpp"
#include "licensor/app_version.hpp"
#include "licensor/claims.hpp"
#include "store/schema.hpp"
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

}  // namespace

void product_create(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"id", "name", "tiers", "min_version", "prices"});
  product_record product;
  product.id = body.string("id");
  if (!slug_ok(product.id)) api_fail(errc::bad_request, "field 'id' must be 1-64 of a-z, 0-9, '-', '_'");
  product.name = body.optional_string("name").value_or(product.id);
  product.tiers = body.optional_strings("tiers").value_or(std::vector<std::string>{"standard"});
  if (product.tiers.empty() || !std::all_of(product.tiers.begin(), product.tiers.end(), slug_ok))
    api_fail(errc::bad_request, "field 'tiers' must list tier ids, lowest first");
  if (const auto* versions = body.optional_object("min_version")) {
    for (const auto& [kind, version] : versions->items()) {
      if (!license_kind_parse(kind) || !version.is_string() ||
          !app_version_compare(version.get<std::string>(), "0"))
        api_fail(errc::bad_request, "field 'min_version' maps free|trial|paid to a version like \"20\"");
      product.min_version[kind] = version.get<std::string>();
    }
  }
  if (const auto* prices = body.optional_object("prices")) {
    // {"tier": {"currency": "EUR", "seat_month": 1000, "seat_year": 10000}} in minor units.
    for (const auto& item : prices->items()) {
      const auto price = tier_price_parse(item.value());
      if (std::find(product.tiers.begin(), product.tiers.end(), item.key()) == product.tiers.end() || !price)
        api_fail(errc::bad_request,
                 "field 'prices' maps a tier to {\"currency\": \"EUR\", \"seat_month\": minor units, \"seat_year\": minor units}");
      product.prices[item.key()] = *price;
    }
  }
  product.created_at = svc.now();
  svc.commit(call, [&svc, who = call.who, product](store::txn& write) {
    insert_or_fail(write, store::db::products, product.id, nlohmann::json(product).dump(), errc::product_exists);
    svc.audit_append(write, who, "product.create", product.id, product_view(product));
    return answer(product_view(product), 201);
  }, std::move(respond));
}

void product_list(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  respond(page_scan(snapshot, store::db::products, "", page_of(call), [](std::string_view, std::string_view value) {
    return product_view(nlohmann::json::parse(value).get<product_record>());
  }));
}

void product_get(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  respond(answer(product_view(record_get<product_record>(snapshot, store::db::products, call.params[0], errc::product_not_found))));
}

}  // namespace licensor::server
