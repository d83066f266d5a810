// The redo log of a durable store: what a crash leaves (LMDB's file as the page cache had it, or
// with header pages that never reached the disk, a log record cut short) opens as every
// acknowledged batch, and a second process on the store only reads.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <mutex>
#include <numeric>
#include <string>

#include "store/lmdb/group_commit.hpp"
#include "store/lmdb/redo_log.hpp"
#include "store/lmdb/schema.hpp"

namespace licensor::store {
namespace {
namespace fs = std::filesystem;

struct redo_dir {
  fs::path path = fs::temp_directory_path() /
                  ("licensor-redo-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  redo_dir() { fs::create_directories(path); }
  ~redo_dir() { fs::remove_all(path); }
  static inline int counter = 0;
};

std::unique_ptr<lmdb_env> durable_open(const fs::path& dir) {
  auto env = store_open(dir, {std::size_t{1} << 30, /*durable=*/true});
  REQUIRE(env.ok());
  return std::move(*env);
}

// Runs `work` as a batch of its own and returns its outcome.
result<void> batch_run(group_commit& writer, group_commit::job work) {
  std::promise<result<void>> answered;
  writer.submit(std::move(work), [&](result<void> outcome) { answered.set_value(outcome); });
  return answered.get_future().get();
}

// The store's files as a crash of the process would leave them: LMDB's file as the page cache
// holds it (commits since the checkpoint were never synced), the checkpoint and the log.
void crash_copy(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (const auto& entry : fs::directory_iterator(from)) {
    const auto name = entry.path().filename().string();
    if (name == "data.mdb" || name == "checkpoint" || name.starts_with("redo-"))
      fs::copy_file(entry.path(), to / name);
  }
}

// What a crash of the machine may leave instead: header pages that never reached the disk.
void headers_scribble(const fs::path& dir, std::size_t page_size) {
  const std::string garbage(2 * page_size, '\xab');
  const auto file = dir / "data.mdb";
  const int fd = ::open(file.c_str(), O_WRONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::pwrite(fd, garbage.data(), garbage.size(), 0) == static_cast<ssize_t>(garbage.size()));
  ::close(fd);
}

fs::path last_segment(const fs::path& dir) {
  fs::path last;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().starts_with("redo-") && entry.path() > last) last = entry.path();
  return last;
}

bool stored(const lmdb_env& env, const std::string& key) {
  auto read = env.begin_read();
  REQUIRE(read.ok());
  auto value = read->get(db::counters, key);
  REQUIRE(value.ok());
  return value->has_value();
}

group_commit::job put_job(std::string key) {
  return [key](txn& write) { return write.put(db::counters, key, "1"); };
}

}  // namespace

TEST_CASE("a durable store reopens with every acknowledged batch, from its log, when LMDB's header pages are lost") {
  redo_dir dir, crashed;
  std::size_t page_size = 0;
  {
    auto env = durable_open(dir.path);
    page_size = env->page_size();
    group_commit writer(*env);
    for (int i = 0; i < 20; ++i) REQUIRE(batch_run(writer, put_job("k" + std::to_string(i))).ok());
    REQUIRE(batch_run(writer, [](txn& write) { return write.erase(db::counters, "k3"); }).ok());
    // A batch whose second job fails runs again, one nested transaction per job: only the
    // first job's change may reach the log.
    std::promise<void> both;
    int answers = 0;
    const auto answered = [&](result<void>) {
      if (++answers == 2) both.set_value();
    };
    writer.submit(put_job("kept"), answered);
    writer.submit([](txn& write) -> result<void> {
      if (auto put = write.put(db::counters, "refused", "1"); !put) return put;
      return errc::conflict;
    }, answered);
    both.get_future().wait();
    crash_copy(dir.path, crashed.path);
  }
  headers_scribble(crashed.path, page_size);

  auto env = durable_open(crashed.path);
  for (int i = 0; i < 20; ++i) CHECK(stored(*env, "k" + std::to_string(i)) == (i != 3));
  CHECK(stored(*env, "kept"));
  CHECK_FALSE(stored(*env, "refused"));
}

TEST_CASE("jobs are answered in order, each once its batch and every batch before it are in the log") {
  redo_dir dir;
  auto env = durable_open(dir.path);
  const auto log_has = [&](const std::string& key) {  // in any segment: a checkpoint may start a new one
    for (const auto& entry : fs::directory_iterator(dir.path)) {
      if (!entry.path().filename().string().starts_with("redo-")) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string text(std::istreambuf_iterator<char>(in), {});
      if (text.find(key) != std::string::npos) return true;
    }
    return false;
  };
  constexpr int jobs = 300;
  std::mutex mutex;
  std::vector<int> answered_order;
  int answered_before_logged = 0;  // or failed
  std::promise<void> all;
  {
    group_commit writer(*env);
    for (int i = 0; i < jobs; ++i) {
      // Every third job writes nothing: its answer may rest on what the jobs before it wrote.
      const auto key = "order-" + std::to_string(i) + ";";
      const auto last_put = "order-" + std::to_string(i % 3 == 2 ? i - 1 : i) + ";";
      writer.submit(i % 3 == 2 ? group_commit::job([](txn&) { return result<void>{}; }) : put_job(key),
                    [&, i, last_put](result<void> outcome) {
                      const bool logged = outcome.ok() && log_has(last_put);
                      std::lock_guard lock(mutex);
                      if (!logged) ++answered_before_logged;
                      answered_order.push_back(i);
                      if (answered_order.size() == jobs) all.set_value();
                    });
    }
    all.get_future().wait();
  }
  CHECK(answered_before_logged == 0);
  std::vector<int> submitted(jobs);
  std::iota(submitted.begin(), submitted.end(), 0);
  CHECK(answered_order == submitted);
}

TEST_CASE("a record cut short ends the log; a damaged record followed by others is refused") {
  redo_dir dir, cut, damaged;
  {
    auto env = durable_open(dir.path);
    group_commit writer(*env);
    for (int i = 0; i < 5; ++i) REQUIRE(batch_run(writer, put_job("k" + std::to_string(i))).ok());
    crash_copy(dir.path, cut.path);
    crash_copy(dir.path, damaged.path);
  }
  const auto cut_segment = last_segment(cut.path);
  fs::resize_file(cut_segment, fs::file_size(cut_segment) - 3);  // the last write was cut short
  {
    auto env = durable_open(cut.path);
    for (int i = 0; i < 4; ++i) CHECK(stored(*env, "k" + std::to_string(i)));
    CHECK_FALSE(stored(*env, "k4"));
  }
  {
    const auto segment = last_segment(damaged.path);
    const int fd = ::open(segment.c_str(), O_WRONLY);
    REQUIRE(fd >= 0);
    REQUIRE(::pwrite(fd, "\xff", 1, 40) == 1);  // inside the first record's changes
    ::close(fd);
    CHECK(store_open(damaged.path, {std::size_t{1} << 30, true}).error() == errc::storage_error);
  }
}

TEST_CASE("a segment as earlier versions wrote it (no magic, records summed with BLAKE2b) still replays") {
  redo_dir dir, crashed;
  {
    auto env = durable_open(dir.path);
    group_commit writer(*env);
    for (int i = 0; i < 5; ++i) REQUIRE(batch_run(writer, put_job("k" + std::to_string(i))).ok());
    crash_copy(dir.path, crashed.path);
  }
  // Rewritten as the earlier format: each record (length 4, number 8, sum 16, changes) summed
  // with BLAKE2b-128 over its first twelve bytes and its changes, and no magic before them.
  const auto segment = last_segment(crashed.path);
  std::string text;
  {
    std::ifstream in(segment, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  REQUIRE(text.starts_with("LICREDO2"));
  std::string earlier;
  int records = 0;
  for (std::string_view rest = std::string_view(text).substr(8); !rest.empty(); ++records) {
    REQUIRE(rest.size() >= 28);
    std::size_t length = 0;
    for (int i = 0; i < 4; ++i) length |= std::size_t{static_cast<unsigned char>(rest[i])} << (8 * i);
    REQUIRE(rest.size() >= 28 + length);
    unsigned char sum[16];
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, sizeof sum);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(rest.data()), 12);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(rest.data() + 28), length);
    crypto_generichash_final(&state, sum, sizeof sum);
    earlier.append(rest.substr(0, 12));
    earlier.append(reinterpret_cast<const char*>(sum), sizeof sum);
    earlier.append(rest.substr(28, length));
    rest.remove_prefix(28 + length);
  }
  CHECK(records == 5);
  std::ofstream(segment, std::ios::binary | std::ios::trunc) << earlier;

  auto env = durable_open(crashed.path);
  for (int i = 0; i < 5; ++i) CHECK(stored(*env, "k" + std::to_string(i)));
  // Opening checkpointed: what the store writes next goes to a segment of this version.
  group_commit writer(*env);
  REQUIRE(batch_run(writer, put_job("after")).ok());
  std::ifstream in(last_segment(crashed.path), std::ios::binary);
  std::string magic(8, '\0');
  in.read(magic.data(), 8);
  CHECK(magic == "LICREDO2");
}

TEST_CASE("after a checkpoint the store reopens from LMDB's file alone, and the log is empty") {
  redo_dir dir, crashed;
  std::size_t page_size = 0;
  {
    auto env = durable_open(dir.path);
    page_size = env->page_size();
    {
      group_commit writer(*env);
      for (int i = 0; i < 5; ++i) REQUIRE(batch_run(writer, put_job("k" + std::to_string(i))).ok());
    }
    env->sync();
    CHECK(fs::file_size(last_segment(dir.path)) == 8);  // its magic: no record
    crash_copy(dir.path, crashed.path);
  }
  headers_scribble(crashed.path, page_size);  // put back from the checkpoint, then nothing to replay
  auto env = durable_open(crashed.path);
  for (int i = 0; i < 5; ++i) CHECK(stored(*env, "k" + std::to_string(i)));
}

TEST_CASE("a checkpoint starts once LMDB's file grew 128 MiB, well before the log or the clock calls for one") {
  // While a checkpoint's snapshot is pinned, every page a commit writes is a new one: without a
  // checkpoint the file would grow by all of them for 10 s.
  redo_dir dir;
  auto env = durable_open(dir.path);
  const auto first = last_segment(dir.path);
  group_commit writer(*env);
  const std::string value(std::size_t{4} << 20, 'v');
  for (int i = 0; i < 31; ++i) {
    REQUIRE(batch_run(writer, [key = "big" + std::to_string(i), value](txn& write) {
      return write.put(db::counters, key, value);
    }).ok());
  }
  CHECK(last_segment(dir.path) == first);  // 124 MiB: none yet
  for (int i = 31; i < 34; ++i) {
    REQUIRE(batch_run(writer, [key = "big" + std::to_string(i), value](txn& write) {
      return write.put(db::counters, key, value);
    }).ok());
  }
  CHECK(last_segment(dir.path) != first);  // a checkpoint started a new segment
}

TEST_CASE("a second process on a durable store reads it and may not write") {
  redo_dir dir;
  auto writer_env = durable_open(dir.path);
  group_commit writer(*writer_env);
  REQUIRE(batch_run(writer, put_job("k")).ok());
  // Another process (LMDB's locks are per process: one environment per file in each).
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto reader_env = store_open(dir.path, {std::size_t{1} << 30, true});
    int failures = 0;
    if (!reader_env.ok() || (*reader_env)->redo() != nullptr) ::_exit(100);
    if (!(*reader_env)->begin_read()->get(db::counters, "k")->has_value()) ++failures;
    if ((*reader_env)->begin_write().error() != errc::storage_error) ++failures;
    ::_exit(failures);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(batch_run(writer, put_job("after")).ok());  // the writer's log and locks are intact
}

}  // namespace licensor::store
