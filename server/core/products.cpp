#include "core/products.hpp"

#include "core/audit.hpp"

namespace licensor::server {

void product_create(store::write_view& write, const caller& who, const product_record& product, std::int64_t now) {
  if (auto inserted = write.product_insert(product); !inserted)
    refuse(inserted.error() == errc::conflict ? errc::product_exists : inserted.error());
  audit_append(write, who, "product.create", product.id, now, product);
}

product_record product_policy_set(
    store::write_view& write, const caller& who, std::string_view id,
    const std::function<std::map<std::string, kind_policy>(const product_record&)>& make_policy, std::int64_t now) {
  auto product = found(write.product_get(id), errc::product_not_found);
  const nlohmann::json before = product.policy;
  product.policy = make_policy(product);
  must(write.product_put(product));
  audit_append(write, who, "product.update", product.id, now, {{"before", before}, {"policy", product.policy}});
  return product;
}

}  // namespace licensor::server
