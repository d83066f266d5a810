#include "store/lmdb/redo_log.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "licensor/thread_name.hpp"

namespace licensor::store {
namespace fs = std::filesystem;
namespace {

// A checkpoint is due after this much log or this long, whichever comes first: the longer, the
// more often a page changes between two syncs of it (an index at random keys has every leaf
// changed many times over), and the longer a restart replays.
constexpr std::uint64_t checkpoint_bytes = std::uint64_t{256} << 20;
constexpr auto checkpoint_interval = std::chrono::seconds(10);
// ... or once LMDB's file grew this much. While a checkpoint's snapshot is pinned, LMDB reuses
// no page freed since, so every page a commit copies is a new one at the end of the file: under
// full issuance load on 2 cores the file grew about 250 MB a second, gigabytes (of file and of
// page cache) per 10 s. A checkpoint lets the pages freed before it be reused: with this bound
// the file grew about 60 MB a second under the same load.
constexpr std::uint64_t checkpoint_growth = std::uint64_t{128} << 20;
// A checkpoint writes LMDB's file out one slice at a time and waits for each, so the log's small
// syncs are never queued behind the whole checkpoint's writes.
constexpr off_t writeback_slice = off_t{8} << 20;

constexpr std::string_view checkpoint_magic = "LICCKPT1";
constexpr std::size_t checksum_bytes = 16;
// A record: payload length (4 bytes), number (8), checksum (16) of the twelve bytes before it
// and the payload, then the payload (the batch's changes). Little endian.
constexpr std::size_t record_head_bytes = 4 + 8 + checksum_bytes;
// A segment begins with this, and its records are summed with XXH3-128: the sum only has to
// catch a write the crash cut short, and BLAKE2b over every batch was 2.7% of an issuance's CPU.
// A segment without it was written before, its records summed with BLAKE2b-128 (as is the
// checkpoint), and still replays. A length prefix never reads as the magic: that payload would
// be 1.4 GB.
constexpr std::string_view segment_magic = "LICREDO2";
enum class record_sum { blake2b, xxh3 };

void number_append(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::uint64_t number_read(std::string_view in, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value |= std::uint64_t{static_cast<unsigned char>(in[i])} << (8 * i);
  return value;
}

std::array<unsigned char, checksum_bytes> checksum(std::string_view head, std::string_view body) {
  std::array<unsigned char, checksum_bytes> out{};
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, out.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(head.data()), head.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

std::array<unsigned char, checksum_bytes> checksum(record_sum kind, std::string_view head, std::string_view body) {
  if (kind == record_sum::blake2b) return checksum(head, body);
  std::array<unsigned char, checksum_bytes> out{};
  XXH3_state_t* state = XXH3_createState();
  if (state == nullptr) throw std::bad_alloc();
  XXH3_128bits_reset(state);
  XXH3_128bits_update(state, head.data(), head.size());
  XXH3_128bits_update(state, body.data(), body.size());
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state));
  XXH3_freeState(state);
  static_assert(sizeof canonical.digest == checksum_bytes);
  std::memcpy(out.data(), canonical.digest, out.size());
  return out;
}

bool checksum_matches(std::string_view expected, std::string_view head, std::string_view body,
                      record_sum kind = record_sum::blake2b) {
  const auto computed = checksum(kind, head, body);
  return expected.size() == computed.size() && std::memcmp(expected.data(), computed.data(), computed.size()) == 0;
}

errc io_errc() noexcept { return errno == ENOSPC || errno == EDQUOT ? errc::storage_full : errc::io_error; }

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const auto written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

bool pread_all(int fd, std::string& out, std::size_t size, off_t at) {
  out.assign(size, '\0');
  std::size_t done = 0;
  while (done < size) {
    const auto got = ::pread(fd, out.data() + done, size - done, at + static_cast<off_t>(done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<std::size_t>(got);
  }
  return true;
}

bool directory_sync(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced;
}

std::optional<std::string> file_read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

fs::path segment_path(const fs::path& dir, std::uint64_t first) {
  char name[32];
  std::snprintf(name, sizeof name, "redo-%016llx.log", static_cast<unsigned long long>(first));
  return dir / name;
}

// The segments in `dir`, oldest first (their names sort as their first records do).
std::vector<fs::path> segments_list(const fs::path& dir) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const auto name = entry.path().filename().string();
    if (name.starts_with("redo-") && name.ends_with(".log")) found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

struct checkpoint_record {
  std::uint64_t covered = 0;
  std::string headers;  // LMDB's two header pages
};

std::string checkpoint_encode(const checkpoint_record& record) {
  std::string out(checkpoint_magic);
  number_append(out, record.covered, 8);
  number_append(out, record.headers.size(), 4);
  out += record.headers;
  const auto sum = checksum(out, {});
  out.append(reinterpret_cast<const char*>(sum.data()), sum.size());
  return out;
}

std::optional<checkpoint_record> checkpoint_decode(std::string_view text) {
  constexpr std::size_t fixed = checkpoint_magic.size() + 8 + 4;
  if (text.size() < fixed + checksum_bytes || !text.starts_with(checkpoint_magic)) return std::nullopt;
  const auto body = text.substr(0, text.size() - checksum_bytes);
  if (!checksum_matches(text.substr(body.size()), body, {})) return std::nullopt;
  checkpoint_record record;
  record.covered = number_read(body.substr(checkpoint_magic.size()), 8);
  const auto size = number_read(body.substr(checkpoint_magic.size() + 8), 4);
  if (body.size() != fixed + size) return std::nullopt;
  record.headers = std::string(body.substr(fixed));
  return record;
}

}  // namespace

redo_log::redo_log(fs::path dir, int lock_fd)
    : dir_(std::move(dir)), lock_fd_(lock_fd), checkpointer_([this] { checkpointer_run(); }) {}

redo_log::~redo_log() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  checkpointer_.join();
  if (segment_fd_ >= 0) ::close(segment_fd_);
  if (data_fd_ >= 0) ::close(data_fd_);
  ::close(lock_fd_);  // releases the writer's lock
}

result<std::unique_ptr<redo_log>> redo_log::claim(const fs::path& dir) {
  const auto lock_file = dir / "redo.lock";
  const int lock_fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return errc::io_error;
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd);
    if (errno == EWOULDBLOCK) return std::unique_ptr<redo_log>{};
    return errc::io_error;
  }
  std::unique_ptr<redo_log> log(new redo_log(dir, lock_fd));

  const auto text = file_read(dir / "checkpoint");
  if (!text) {
    // First use of the log: whatever LMDB holds was synced by LMDB itself.
    if (!segments_list(dir).empty()) return errc::storage_error;
    return log;
  }
  const auto recorded = checkpoint_decode(*text);
  if (!recorded) return errc::storage_error;
  log->covered_ = recorded->covered;
  log->next_seq_ = recorded->covered + 1;

  const auto data_file = dir / "data.mdb";
  const int data_fd = ::open(data_file.c_str(), O_RDWR | O_CLOEXEC);
  if (data_fd < 0) return errc::storage_error;
  log->data_fd_ = data_fd;
  std::string headers;
  if (!pread_all(data_fd, headers, recorded->headers.size(), 0)) return errc::storage_error;
  if (headers != recorded->headers) {
    // Commits after the checkpoint reached LMDB's file, wholly or not: back to the checkpoint's
    // snapshot, which the log then brings forward. Never under another process's open LMDB.
    if (lmdb_in_use(dir)) return errc::storage_error;
    if (::pwrite(data_fd, recorded->headers.data(), recorded->headers.size(), 0) !=
            static_cast<ssize_t>(recorded->headers.size()) ||
        ::fdatasync(data_fd) != 0)
      return errc::io_error;
  }
  return log;
}

result<void> redo_log::replay(const lmdb_env& env) {
  if (data_fd_ < 0) {
    const auto data_file = dir_ / "data.mdb";
    data_fd_ = ::open(data_file.c_str(), O_RDWR | O_CLOEXEC);
    if (data_fd_ < 0) return errc::io_error;
  }
  const auto segments = segments_list(dir_);
  bool ended = false;  // a damaged record ended the log
  for (const auto& segment : segments) {
    const auto text = file_read(segment);
    if (!text) return errc::io_error;
    std::string_view rest(*text);
    auto sum = record_sum::blake2b;
    if (rest.starts_with(segment_magic)) {
      sum = record_sum::xxh3;
      rest.remove_prefix(segment_magic.size());
    } else if (segment_magic.starts_with(rest)) {
      rest = {};  // the crash cut its magic short: no record was ever acknowledged in it
    }
    while (!rest.empty()) {
      if (ended) return errc::storage_error;  // records after a damaged one: not a cut-short write
      const auto length = rest.size() >= record_head_bytes ? number_read(rest, 4) : 0;
      if (rest.size() < record_head_bytes || rest.size() - record_head_bytes < length ||
          !checksum_matches(rest.substr(12, checksum_bytes), rest.substr(0, 12), rest.substr(record_head_bytes, length),
                            sum)) {
        // The last write, cut short by the crash, is followed by nothing (or by the zeros of a
        // file extended but never written); damage with records after it is refused.
        const auto extent = record_head_bytes + length;
        if (extent < rest.size() && rest.substr(extent).find_first_not_of('\0') != std::string_view::npos)
          return errc::storage_error;
        ended = true;
        break;
      }
      const auto seq = number_read(rest.substr(4), 8);
      const auto changes = rest.substr(record_head_bytes, length);
      rest.remove_prefix(record_head_bytes + length);
      if (seq <= covered_) continue;
      if (seq != next_seq_) return errc::storage_error;
      auto write = env.begin_write();
      if (!write) return write.error();
      if (auto applied = write->changes_apply(changes); !applied) return applied.error() == errc::malformed ? errc::storage_error : applied.error();
      if (auto committed = write->commit(); !committed) return committed;
      ++next_seq_;
    }
  }
  return {};
}

result<void> redo_log::segment_open() {
  const auto path = segment_path(dir_, next_seq_);
  // A segment of this name left by a crash holds nothing acknowledged (the replay applied every
  // record before next_seq_): at most its magic, or a record cut short.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return io_errc();
  // The magic reaches the disk with the first record's fdatasync; the segment's name must be on
  // disk before a record in it is acknowledged.
  if (!write_all(fd, segment_magic) || !directory_sync(dir_)) {
    ::close(fd);
    return errc::io_error;
  }
  if (segment_fd_ >= 0) ::close(segment_fd_);
  segment_fd_ = fd;
  return {};
}

result<void> redo_log::append(std::string_view changes) {
  if (failed_) return errc::storage_error;
  if (changes.empty()) return {};
  std::string record;
  record.reserve(record_head_bytes + changes.size());
  number_append(record, changes.size(), 4);
  number_append(record, next_seq_, 8);
  const auto sum = checksum(record_sum::xxh3, record, changes);
  record.append(reinterpret_cast<const char*>(sum.data()), sum.size());
  record += changes;
  if (segment_fd_ < 0 || !write_all(segment_fd_, record) || ::fdatasync(segment_fd_) != 0) {
    const auto failure = segment_fd_ < 0 ? errc::storage_error : io_errc();
    failed_ = true;
    return failure;
  }
  ++next_seq_;
  bytes_since_checkpoint_ += record.size();
  return {};
}

bool redo_log::checkpoint_due(const lmdb_env& env) const {
  if (failed_ || bytes_since_checkpoint_ == 0) return false;
  {
    std::lock_guard lock(mutex_);
    if (running_) return false;
  }
  return bytes_since_checkpoint_ >= checkpoint_bytes ||
         std::chrono::steady_clock::now() - checkpoint_started_ >= checkpoint_interval ||
         env.usage_get().used_bytes >= used_at_checkpoint_ + checkpoint_growth;
}

result<redo_log::pending> redo_log::checkpoint_start(const lmdb_env& env) {
  auto pin = env.begin_read();
  if (!pin) return pin.error();
  pending work{std::move(*pin), next_seq_ - 1, {}, segments_list(dir_)};
  if (!pread_all(data_fd_, work.headers, 2 * env.page_size(), 0)) return errc::io_error;
  // Later records go to a new segment, which the checkpoint keeps.
  if (auto opened = segment_open(); !opened) return opened.error();
  bytes_since_checkpoint_ = 0;
  checkpoint_started_ = std::chrono::steady_clock::now();
  used_at_checkpoint_ = env.usage_get().used_bytes;
  return work;
}

result<void> redo_log::checkpoint_finish(pending&& work) {
  const off_t size = ::lseek(data_fd_, 0, SEEK_END);
  for (off_t at = 0; at < size; at += writeback_slice) {
    if (::sync_file_range(data_fd_, at, writeback_slice,
                          SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) != 0)
      return io_errc();
  }
  if (::fdatasync(data_fd_) != 0) return io_errc();  // what the slices missed, and the file's size
  const auto temporary = dir_ / "checkpoint.tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_errc();
  const bool written = write_all(fd, checkpoint_encode({work.covered, work.headers})) && ::fsync(fd) == 0;
  ::close(fd);
  std::error_code ec;
  if (!written) return io_errc();
  fs::rename(temporary, dir_ / "checkpoint", ec);
  if (ec || !directory_sync(dir_)) return errc::io_error;
  for (const auto& segment : work.covered_segments) fs::remove(segment, ec);
  std::lock_guard lock(mutex_);
  covered_ = work.covered;
  pinned_ = std::move(work.pin);  // the previous checkpoint's snapshot may now be reused
  return {};
}

void redo_log::checkpoint_begin(const lmdb_env& env) {
  auto work = checkpoint_start(env);
  if (!work) {
    failed_ = true;
    return;
  }
  {
    std::lock_guard lock(mutex_);
    queued_ = std::move(*work);
    running_ = true;
  }
  wake_.notify_all();
}

result<void> redo_log::checkpoint(const lmdb_env& env) {
  {
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [&] { return !running_; });
  }
  if (failed_) return errc::storage_error;
  auto work = checkpoint_start(env);
  if (!work) return work.error();
  return checkpoint_finish(std::move(*work));
}

void redo_log::checkpointer_run() {
  thread_name_set("checkpoint");
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || queued_; });
    if (!queued_) return;
    auto work = std::move(*queued_);
    queued_.reset();
    lock.unlock();
    if (!checkpoint_finish(std::move(work))) failed_ = true;
    lock.lock();
    running_ = false;
    wake_.notify_all();
  }
}

}  // namespace licensor::store
