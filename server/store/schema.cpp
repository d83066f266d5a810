#include "store/schema.hpp"

#include <charconv>

namespace licensor::store {

result<std::unique_ptr<lmdb_env>> store_open(const std::filesystem::path& dir, const store_options& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return errc::io_error;
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);

  const std::vector<std::string> names{db::meta, db::partners, db::api_keys, db::customers,
                                       db::customer_emails, db::products, db::licenses,
                                       db::activation_keys, db::token_hashes, db::partner_customers,
                                       db::partner_licenses, db::customer_licenses, db::free_licenses,
                                       db::counters, db::audit, db::idempotency,
                                       db::subscriptions, db::ledger, db::partner_ledger, db::members,
                                       db::schedule};
  auto env = lmdb_env::open(dir, names, options.map_size_bytes, options.durable);
  if (!env) return env.error();

  auto write = (*env)->begin_write();
  if (!write) return write.error();
  auto recorded = write->get(db::meta, "schema_version");
  if (!recorded) return recorded.error();
  if (*recorded) {
    int version = 0;
    const auto& text = **recorded;
    std::from_chars(text.data(), text.data() + text.size(), version);
    if (version > schema_version) return errc::schema_too_new;
  } else if (auto put = write->put(db::meta, "schema_version", std::to_string(schema_version)); !put) {
    return put.error();
  }
  if (auto committed = write->commit(); !committed) return committed.error();
  return env;
}

}  // namespace licensor::store
