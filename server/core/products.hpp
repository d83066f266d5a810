// Products: operators define them (tiers, minimum app versions, prices, the policy of free and
// trial licenses); partners read them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "core/caller.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// Stores a new product. Throws product_exists.
void product_create(store::write_view& write, const caller& who, const product_record& product, std::int64_t now);

/// Replaces a product's policy with what `make_policy` builds from the stored product (it may
/// refuse bad_request: the policy is checked against the product's tiers). Throws product_not_found.
[[nodiscard]] product_record product_policy_set(
    store::write_view& write, const caller& who, std::string_view id,
    const std::function<std::map<std::string, kind_policy>(const product_record&)>& make_policy, std::int64_t now);

}  // namespace licensor::server
