#include "core/products.hpp"

#include <algorithm>

#include "core/audit.hpp"

namespace licensor::server {

void product_create(store::write_view& write, const caller& who, const product_record& product, std::int64_t now) {
  if (auto inserted = write.product_insert(product); !inserted)
    refuse(inserted.error() == errc::conflict ? errc::product_exists : inserted.error());
  audit_append(write, who, "product.create", product.id, now, product);
}

product_record product_update(store::write_view& write, const caller& who, std::string_view id,
                              const std::function<void(product_record&)>& change, std::int64_t now) {
  auto product = found(write.product_get(id), errc::product_not_found);
  const auto before = product;
  change(product);
  product.id = before.id;
  product.created_at = before.created_at;
  if (product.tiers.size() < before.tiers.size() ||
      !std::equal(before.tiers.begin(), before.tiers.end(), product.tiers.begin()))
    refuse(errc::bad_request, "tiers may only be appended: licenses name the tiers there are");
  must(write.product_put(product));
  audit_append(write, who, "product.update", product.id, now, {{"before", before}, {"after", product}});
  return product;
}

}  // namespace licensor::server
