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

/// Corrects a product: `change` edits the stored product (it may refuse bad_request, e.g. a
/// policy that names a tier the product lacks). Tiers may only be appended (licenses name them,
/// and their order is the upgrade path). Licenses already issued keep their tokens: what a
/// product says applies to the next license, and to the compliance sweep (min_version from
/// min_version_from). Audited with the product before and after. Throws product_not_found.
[[nodiscard]] product_record product_update(store::write_view& write, const caller& who, std::string_view id,
                                            const std::function<void(product_record&)>& change, std::int64_t now);

}  // namespace licensor::server
