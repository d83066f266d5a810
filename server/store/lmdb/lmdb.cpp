#include "store/lmdb/lmdb.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

namespace licensor::store {
namespace {

MDB_val as_val(std::string_view bytes) {
  return {bytes.size(), const_cast<char*>(bytes.data())};  // LMDB never writes through it
}

std::string_view as_view(const MDB_val& value) {
  return {static_cast<const char*>(value.mv_data), value.mv_size};
}

}  // namespace

// A full map and a full disk (a commit's write or fsync failing for space) are one condition
// for clients: no room left, 507, and nothing half-written (the transaction is aborted).
errc lmdb_error(int rc) noexcept {
  return rc == MDB_MAP_FULL || rc == ENOSPC || rc == EDQUOT ? errc::storage_full : errc::storage_error;
}

txn::txn(txn&& other) noexcept : env_(other.env_), handle_(other.handle_) { other.handle_ = nullptr; }

txn& txn::operator=(txn&& other) noexcept {
  if (this != &other) {
    abort();
    env_ = other.env_;
    handle_ = other.handle_;
    other.handle_ = nullptr;
  }
  return *this;
}

txn::~txn() { abort(); }

void txn::abort() noexcept {
  if (handle_ != nullptr) mdb_txn_abort(handle_);
  handle_ = nullptr;
}

result<void> txn::commit() {
  if (handle_ == nullptr) return errc::internal;
  const int rc = mdb_txn_commit(handle_);
  handle_ = nullptr;  // LMDB frees the handle whatever the outcome
  if (rc != 0) return lmdb_error(rc);
  return {};
}

result<std::uint64_t> txn::entries(std::string_view db) const {
  auto handle = dbi(db);
  if (!handle) return handle.error();
  MDB_stat stat{};
  if (const int rc = mdb_stat(handle_, *handle, &stat); rc != 0) return lmdb_error(rc);
  return static_cast<std::uint64_t>(stat.ms_entries);
}

result<MDB_dbi> txn::dbi(std::string_view db) const {
  const auto it = env_->dbis_.find(db);
  if (it == env_->dbis_.end() || handle_ == nullptr) return errc::internal;
  return it->second;
}

result<std::optional<std::string>> txn::get(std::string_view db, std::string_view key) const {
  auto handle = dbi(db);
  if (!handle) return handle.error();
  if (key.empty()) return std::optional<std::string>{};  // LMDB refuses empty keys (MDB_BAD_VALSIZE): none is stored
  MDB_val k = as_val(key), v{};
  const int rc = mdb_get(handle_, *handle, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string>{};
  if (rc != 0) return lmdb_error(rc);
  return std::optional<std::string>{std::string(as_view(v))};
}

result<void> txn::put(std::string_view db, std::string_view key, std::string_view value) {
  auto handle = dbi(db);
  if (!handle) return handle.error();
  MDB_val k = as_val(key), v = as_val(value);
  if (const int rc = mdb_put(handle_, *handle, &k, &v, 0); rc != 0) return lmdb_error(rc);
  return {};
}

result<void> txn::insert(std::string_view db, std::string_view key, std::string_view value) {
  auto handle = dbi(db);
  if (!handle) return handle.error();
  MDB_val k = as_val(key), v = as_val(value);
  const int rc = mdb_put(handle_, *handle, &k, &v, MDB_NOOVERWRITE);
  if (rc == MDB_KEYEXIST) return errc::conflict;
  if (rc != 0) return lmdb_error(rc);
  return {};
}

result<void> txn::erase(std::string_view db, std::string_view key) {
  auto handle = dbi(db);
  if (!handle) return handle.error();
  MDB_val k = as_val(key);
  const int rc = mdb_del(handle_, *handle, &k, nullptr);
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_error(rc);
  return {};
}

namespace {

// Opens a cursor on `dbi`, lets `position` place it (answering LMDB's code), then visits keys
// starting with `prefix` one `step` at a time, until `visit` returns false or `limit` were
// visited.
result<void> cursor_walk(MDB_txn* handle, MDB_dbi dbi, std::string_view prefix, std::size_t limit,
                         const std::function<bool(std::string_view, std::string_view)>& visit, MDB_cursor_op step,
                         const std::function<int(MDB_cursor*, MDB_val&, MDB_val&)>& position) {
  MDB_cursor* raw = nullptr;
  if (const int rc = mdb_cursor_open(handle, dbi, &raw); rc != 0) return lmdb_error(rc);
  const std::unique_ptr<MDB_cursor, decltype(&mdb_cursor_close)> cursor(raw, mdb_cursor_close);
  MDB_val k{}, v{};
  int rc = position(raw, k, v);
  for (std::size_t visited = 0; rc == 0 && visited < limit; ++visited) {
    const auto key = as_view(k);
    if (!key.starts_with(prefix)) break;
    if (!visit(key, as_view(v))) break;
    rc = mdb_cursor_get(raw, &k, &v, step);
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_error(rc);
  return {};
}

}  // namespace

result<void> txn::scan(std::string_view db, std::string_view prefix, std::string_view after,
                       std::size_t limit,
                       const std::function<bool(std::string_view, std::string_view)>& visit) const {
  auto handle = dbi(db);
  if (!handle) return handle.error();
  return cursor_walk(handle_, *handle, prefix, limit, visit, MDB_NEXT, [&](MDB_cursor* cursor, MDB_val& k, MDB_val& v) {
    const std::string_view start = after.empty() ? prefix : after;
    k = as_val(start);
    // LMDB refuses an empty key for SET_RANGE; an empty start means "from the first key".
    int rc = mdb_cursor_get(cursor, &k, &v, start.empty() ? MDB_FIRST : MDB_SET_RANGE);
    if (rc == 0 && !after.empty() && as_view(k) == after) rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
    return rc;
  });
}

result<void> txn::scan_back(std::string_view db, std::string_view prefix, std::string_view before,
                            std::size_t limit,
                            const std::function<bool(std::string_view, std::string_view)>& visit) const {
  auto handle = dbi(db);
  if (!handle) return handle.error();
  return cursor_walk(handle_, *handle, prefix, limit, visit, MDB_PREV, [&](MDB_cursor* cursor, MDB_val& k, MDB_val& v) {
    // The walk starts just below a bound: `before`, or the first key past every key with the
    // prefix (the prefix without its trailing 0xff bytes, its last byte raised). No bound (an
    // empty or all-0xff prefix): from the last key.
    std::string bound(before);
    if (bound.empty()) {
      bound = prefix;
      while (!bound.empty() && static_cast<unsigned char>(bound.back()) == 0xff) bound.pop_back();
      if (!bound.empty()) bound.back() = static_cast<char>(static_cast<unsigned char>(bound.back()) + 1);
    }
    k = as_val(bound);
    const int rc = bound.empty() ? MDB_NOTFOUND : mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
    return mdb_cursor_get(cursor, &k, &v, rc == MDB_NOTFOUND ? MDB_LAST : MDB_PREV);
  });
}

result<std::optional<std::string>> txn::last_key(std::string_view db) const {
  return last_key_under(db, "");
}

result<std::optional<std::string>> txn::last_key_under(std::string_view db, std::string_view prefix) const {
  std::optional<std::string> last;
  auto scanned = scan_back(db, prefix, "", 1, [&last](std::string_view key, std::string_view) {
    last = std::string(key);
    return false;
  });
  if (!scanned) return scanned.error();
  return last;
}

result<txn> txn::nested() {
  MDB_txn* child = nullptr;
  if (const int rc = mdb_txn_begin(mdb_txn_env(handle_), handle_, 0, &child); rc != 0)
    return lmdb_error(rc);
  return txn(env_, child);
}

result<std::unique_ptr<lmdb_env>> lmdb_env::open(const std::filesystem::path& dir,
                                                 const std::vector<std::string>& databases,
                                                 std::size_t map_size_bytes, bool durable) {
  std::unique_ptr<lmdb_env> env(new lmdb_env());
  if (mdb_env_create(&env->handle_) != 0) return errc::storage_error;
  mdb_env_set_maxdbs(env->handle_, static_cast<MDB_dbi>(databases.size() + 1));
  mdb_env_set_mapsize(env->handle_, map_size_bytes);
  mdb_env_set_maxreaders(env->handle_, 1024);
  const unsigned flags = MDB_NOTLS | (durable ? 0u : MDB_NOSYNC);
  if (const int rc = mdb_env_open(env->handle_, dir.c_str(), flags, 0600); rc != 0)
    return lmdb_error(rc);
  // Stale reader slots of a killed process would pin old pages forever.
  int dead = 0;
  mdb_reader_check(env->handle_, &dead);

  MDB_txn* setup = nullptr;
  if (const int rc = mdb_txn_begin(env->handle_, nullptr, 0, &setup); rc != 0) return lmdb_error(rc);
  for (const auto& name : databases) {
    MDB_dbi dbi = 0;
    if (const int rc = mdb_dbi_open(setup, name.c_str(), MDB_CREATE, &dbi); rc != 0) {
      mdb_txn_abort(setup);
      return lmdb_error(rc);
    }
    env->dbis_.emplace(name, dbi);
  }
  if (const int rc = mdb_txn_commit(setup); rc != 0) return lmdb_error(rc);
  return env;
}

result<std::unique_ptr<lmdb_env>> lmdb_env::open_snapshot(const std::filesystem::path& dir,
                                                          const std::vector<std::string>& databases) {
  std::unique_ptr<lmdb_env> env(new lmdb_env());
  if (mdb_env_create(&env->handle_) != 0) return errc::storage_error;
  mdb_env_set_maxdbs(env->handle_, static_cast<MDB_dbi>(databases.size() + 1));
  if (const int rc = mdb_env_open(env->handle_, dir.c_str(), MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS, 0600); rc != 0)
    return lmdb_error(rc);
  MDB_txn* setup = nullptr;
  if (const int rc = mdb_txn_begin(env->handle_, nullptr, MDB_RDONLY, &setup); rc != 0) return lmdb_error(rc);
  for (const auto& name : databases) {
    MDB_dbi dbi = 0;
    if (const int rc = mdb_dbi_open(setup, name.c_str(), 0, &dbi); rc != 0) {
      mdb_txn_abort(setup);
      return rc == MDB_NOTFOUND ? errc::storage_error : lmdb_error(rc);
    }
    env->dbis_.emplace(name, dbi);
  }
  if (const int rc = mdb_txn_commit(setup); rc != 0) return lmdb_error(rc);  // keeps the handles
  return env;
}

lmdb_env::~lmdb_env() {
  if (handle_ != nullptr) mdb_env_close(handle_);
}

result<txn> lmdb_env::begin_read() const {
  MDB_txn* handle = nullptr;
  if (const int rc = mdb_txn_begin(handle_, nullptr, MDB_RDONLY, &handle); rc != 0) return lmdb_error(rc);
  return txn(this, handle);
}

result<txn> lmdb_env::begin_write() const {
  MDB_txn* handle = nullptr;
  if (const int rc = mdb_txn_begin(handle_, nullptr, 0, &handle); rc != 0) return lmdb_error(rc);
  return txn(this, handle);
}

void lmdb_env::sync() const noexcept { mdb_env_sync(handle_, 1); }

lmdb_env::usage lmdb_env::usage_get() const noexcept {
  MDB_envinfo info{};
  MDB_stat stat{};
  if (mdb_env_info(handle_, &info) != 0 || mdb_env_stat(handle_, &stat) != 0) return {};
  return {info.me_mapsize, (static_cast<std::uint64_t>(info.me_last_pgno) + 1) * stat.ms_psize};
}

result<void> lmdb_env::copy_compact(const std::filesystem::path& file) const {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return errc::io_error;
  int rc = mdb_env_copyfd2(handle_, fd, MDB_CP_COMPACT);
  if (rc == 0 && ::fsync(fd) != 0) rc = EIO;
  ::close(fd);
  if (rc != 0) return rc == EIO ? errc::io_error : lmdb_error(rc);
  return {};
}

}  // namespace licensor::store
