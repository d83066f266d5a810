#include "store/lmdb/lmdb.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <utility>

#include "store/lmdb/redo_log.hpp"

namespace licensor::store {
namespace {

MDB_val as_val(std::string_view bytes) {
  return {bytes.size(), const_cast<char*>(bytes.data())};  // LMDB never writes through it
}

std::string_view as_view(const MDB_val& value) {
  return {static_cast<const char*>(value.mv_data), value.mv_size};
}

// The changes' encoding (in redo log records): per change, 'p' (put) or 'e' (erase), the
// sub-database's name after one byte of length, the key after four bytes of length (little
// endian), and for a put the value the same way.
constexpr char change_put = 'p';
constexpr char change_erase = 'e';

void length_append(std::string& out, std::size_t length) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>((length >> shift) & 0xff));
}

// Reads a length and that many bytes from the front of `in`; false when `in` is too short.
bool counted_take(std::string_view& in, std::size_t length_bytes, std::string_view& out) {
  if (in.size() < length_bytes) return false;
  std::size_t length = 0;
  for (std::size_t i = 0; i < length_bytes; ++i)
    length |= static_cast<std::size_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  in.remove_prefix(length_bytes);
  if (in.size() < length) return false;
  out = in.substr(0, length);
  in.remove_prefix(length);
  return true;
}

}  // namespace

// A full map and a full disk (a commit's write or fsync failing for space) are one condition
// for clients: no room left, 507, and nothing half-written (the transaction is aborted).
errc lmdb_error(int rc) noexcept {
  return rc == MDB_MAP_FULL || rc == ENOSPC || rc == EDQUOT ? errc::storage_full : errc::storage_error;
}

txn::txn(txn&& other) noexcept
    : env_(other.env_),
      handle_(other.handle_),
      recorded_(other.recorded_),
      changes_(std::move(other.changes_)),
      parent_(other.parent_) {
  other.handle_ = nullptr;
}

txn& txn::operator=(txn&& other) noexcept {
  if (this != &other) {
    abort();
    env_ = other.env_;
    handle_ = other.handle_;
    recorded_ = other.recorded_;
    changes_ = std::move(other.changes_);
    parent_ = other.parent_;
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
  if (parent_ != nullptr) parent_->changes_ += changes_take();
  return {};
}

std::string txn::changes_take() noexcept { return std::exchange(changes_, {}); }

void txn::change_record(char op, std::string_view db, std::string_view key, std::string_view value) {
  if (!recorded_) return;
  changes_.push_back(op);
  changes_.push_back(static_cast<char>(db.size()));  // names are short constants (schema.hpp)
  changes_ += db;
  length_append(changes_, key.size());
  changes_ += key;
  if (op == change_erase) return;
  length_append(changes_, value.size());
  changes_ += value;
}

result<void> txn::changes_apply(std::string_view changes) {
  while (!changes.empty()) {
    const char op = changes.front();
    changes.remove_prefix(1);
    std::string_view db, key, value;
    if (!counted_take(changes, 1, db) || !counted_take(changes, 4, key)) return errc::malformed;
    if (op == change_put) {
      if (!counted_take(changes, 4, value)) return errc::malformed;
      if (auto put_done = put(db, key, value); !put_done) return put_done;
    } else if (op == change_erase) {
      if (auto erased = erase(db, key); !erased) return erased;
    } else {
      return errc::malformed;
    }
  }
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

result<std::optional<std::string_view>> txn::get_view(std::string_view db, std::string_view key) const {
  auto handle = dbi(db);
  if (!handle) return handle.error();
  if (key.empty()) return std::optional<std::string_view>{};  // LMDB refuses empty keys (MDB_BAD_VALSIZE): none is stored
  MDB_val k = as_val(key), v{};
  const int rc = mdb_get(handle_, *handle, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>{};
  if (rc != 0) return lmdb_error(rc);
  return std::optional<std::string_view>{as_view(v)};
}

result<std::optional<std::string>> txn::get(std::string_view db, std::string_view key) const {
  auto value = get_view(db, key);
  if (!value) return value.error();
  if (!*value) return std::optional<std::string>{};
  return std::optional<std::string>{std::string(**value)};
}

result<void> txn::put(std::string_view db, std::string_view key, std::string_view value) {
  auto handle = dbi(db);
  if (!handle) return handle.error();
  MDB_val k = as_val(key), v = as_val(value);
  if (const int rc = mdb_put(handle_, *handle, &k, &v, 0); rc != 0) return lmdb_error(rc);
  change_record(change_put, db, key, value);
  return {};
}

result<void> txn::insert(std::string_view db, std::string_view key, std::string_view value) {
  auto handle = dbi(db);
  if (!handle) return handle.error();
  MDB_val k = as_val(key), v = as_val(value);
  const int rc = mdb_put(handle_, *handle, &k, &v, MDB_NOOVERWRITE);
  if (rc == MDB_KEYEXIST) return errc::conflict;
  if (rc != 0) return lmdb_error(rc);
  change_record(change_put, db, key, value);
  return {};
}

result<void> txn::erase(std::string_view db, std::string_view key) {
  auto handle = dbi(db);
  if (!handle) return handle.error();
  MDB_val k = as_val(key);
  const int rc = mdb_del(handle_, *handle, &k, nullptr);
  if (rc == MDB_NOTFOUND) return {};
  if (rc != 0) return lmdb_error(rc);
  change_record(change_erase, db, key, {});
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
  txn nested_txn(env_, child, recorded_);
  nested_txn.parent_ = this;
  return nested_txn;
}

result<std::unique_ptr<lmdb_env>> lmdb_env::open(const std::filesystem::path& dir,
                                                 const std::vector<std::string>& databases,
                                                 std::size_t map_size_bytes, bool sync_commits) {
  std::unique_ptr<lmdb_env> env(new lmdb_env());
  if (mdb_env_create(&env->handle_) != 0) return errc::storage_error;
  mdb_env_set_maxdbs(env->handle_, static_cast<MDB_dbi>(databases.size() + 1));
  mdb_env_set_mapsize(env->handle_, map_size_bytes);
  mdb_env_set_maxreaders(env->handle_, 1024);
  const unsigned flags = MDB_NOTLS | (sync_commits ? 0u : MDB_NOSYNC);
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
  redo_.reset();  // its checkpoint thread and pinned snapshot go before the environment
  if (handle_ != nullptr) mdb_env_close(handle_);
}

void lmdb_env::redo_attach(std::unique_ptr<redo_log> log) { redo_ = std::move(log); }

result<txn> lmdb_env::begin_read() const {
  MDB_txn* handle = nullptr;
  if (const int rc = mdb_txn_begin(handle_, nullptr, MDB_RDONLY, &handle); rc != 0) return lmdb_error(rc);
  return txn(this, handle, false);
}

result<txn> lmdb_env::begin_write() const {
  if (writes_refused_ || (redo_ != nullptr && redo_->failed())) return errc::storage_error;
  MDB_txn* handle = nullptr;
  if (const int rc = mdb_txn_begin(handle_, nullptr, 0, &handle); rc != 0) return lmdb_error(rc);
  return txn(this, handle, redo_ != nullptr);
}

void lmdb_env::sync() const noexcept {
  if (redo_ != nullptr) {
    (void)redo_->checkpoint(*this);  // a failure leaves the log to replay at the next start
    return;
  }
  mdb_env_sync(handle_, 1);
}

std::size_t lmdb_env::page_size() const noexcept {
  MDB_stat stat{};
  if (mdb_env_stat(handle_, &stat) != 0) return 0;
  return stat.ms_psize;
}

bool lmdb_in_use(const std::filesystem::path& dir) {
  const auto lock_file = dir / "lock.mdb";
  const int fd = ::open(lock_file.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;  // never opened, or not there
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  probe.l_start = 0;
  probe.l_len = 1;
  const bool taken = ::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK;
  ::close(fd);
  return taken;
}

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
