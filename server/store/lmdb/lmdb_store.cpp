#include "store/lmdb/lmdb_store.hpp"

#include <ctime>

#include "store/lmdb/backup.hpp"
#include "store/lmdb/group_commit.hpp"
#include "store/lmdb/lmdb_views.hpp"
#include "store/lmdb/schema.hpp"

namespace licensor::store {
namespace {

class lmdb_store final : public store {
 public:
  explicit lmdb_store(std::unique_ptr<lmdb_env> env)
      : env_(std::move(env)), writer_(std::make_unique<group_commit>(*env_)) {}
  ~lmdb_store() override {
    writer_.reset();  // runs what is queued, then stops
    env_->sync();
  }

  result<std::unique_ptr<read_view>> read() const override {
    auto transaction = env_->begin_read();
    if (!transaction) return transaction.error();
    return std::unique_ptr<read_view>(std::make_unique<lmdb_view>(std::move(*transaction)));
  }

  void submit(job work, done on_done) override {
    writer_->submit([work = std::move(work)](txn& write) {
      lmdb_view view(write);
      return work(view);
    }, std::move(on_done));
  }

  void sync() noexcept override { env_->sync(); }

  void metrics_write(metrics::exposition& out) const override {
    writer_->metrics_write(out);
    const auto usage = env_->usage_get();
    out.family("licensor_store_used_bytes", metrics::exposition::kind::gauge,
               "Bytes of the LMDB map in use (up to its last page)");
    out.sample({}, static_cast<double>(usage.used_bytes));
    out.family("licensor_store_map_bytes", metrics::exposition::kind::gauge,
               "Bytes the LMDB map may grow to (used_bytes over this: how full the store is)");
    out.sample({}, static_cast<double>(usage.map_bytes));
  }

  result<backup_manifest> backup(const std::filesystem::path& dir) const override {
    return lmdb_backup(*env_, dir, static_cast<std::int64_t>(std::time(nullptr)));
  }

 private:
  std::unique_ptr<lmdb_env> env_;
  std::unique_ptr<group_commit> writer_;
};

}  // namespace

result<std::unique_ptr<store>> lmdb_store_open(const std::filesystem::path& dir, const lmdb_options& options) {
  auto env = store_open(dir, store_options{options.map_size_bytes, options.durable});
  if (!env) return env.error();
  return std::unique_ptr<store>(std::make_unique<lmdb_store>(std::move(*env)));
}

}  // namespace licensor::store
