#include "domain/product_policy.hpp"

#include <algorithm>

namespace licensor::server {
namespace {

bool listed(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string joined(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& item : list) out += (out.empty() ? "'" : ", '") + item + "'";
  return out.empty() ? "none" : out;
}

}  // namespace

bool product_policy_governs(license_kind kind) { return kind == license_kind::free || kind == license_kind::trial; }

kind_policy product_policy_default(const product_record& product, license_kind kind) {
  if (kind == license_kind::free) {
    kind_policy free;
    if (!product.tiers.empty()) free.tiers = {product.tiers.front()};
    free.max_seats = 1;
    return free;
  }
  kind_policy trial;
  trial.tiers = product.tiers;
  trial.max_seats = trial_default_max_seats;
  return trial;
}

std::string product_min_version(const product_record& product, license_kind kind) {
  const auto set = product.min_version.find(std::string(license_kind_name(kind)));
  return set != product.min_version.end() ? set->second : std::string();
}

kind_policy product_policy_of(const product_record& product, license_kind kind) {
  const auto set = product.policy.find(std::string(license_kind_name(kind)));
  return set != product.policy.end() ? set->second : product_policy_default(product, kind);
}

std::optional<std::string> product_policy_refusal(const product_record& product, const license_record& license) {
  if (!product_policy_governs(license.kind)) return std::nullopt;
  const auto policy = product_policy_of(product, license.kind);
  const auto kind = std::string(license_kind_name(license.kind));
  const auto what = kind + " licenses of '" + product.id + "'";
  if (policy.tiers.empty()) return "the product's policy offers no " + kind + " licenses of '" + product.id + "'";
  if (!listed(policy.tiers, license.tier))
    return what + " allow tier " + joined(policy.tiers) + ", not '" + license.tier + "'";
  if (license.seats > policy.max_seats)
    return what + " allow at most " + std::to_string(policy.max_seats) + " seat(s), not " + std::to_string(license.seats);
  const auto at_tier = policy.tier_features.find(license.tier);
  auto allowed = policy.features;
  if (at_tier != policy.tier_features.end()) allowed.insert(allowed.end(), at_tier->second.begin(), at_tier->second.end());
  for (const auto& feature : license.features)
    if (!listed(allowed, feature))
      return what + " at tier '" + license.tier + "' allow feature(s) " + joined(allowed) + ", not '" + feature + "'";
  return std::nullopt;
}

}  // namespace licensor::server
