#include "store/pg/pg_store.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include <array>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "licensor/thread_name.hpp"
#include "store/backup_files.hpp"
#include "store/pg/pg_schema.hpp"
#include "store/pg/pg_views.hpp"

extern char** environ;

namespace licensor::store {
namespace {

namespace fs = std::filesystem;

// Connections for read views: opened on demand up to `max`, kept while they are healthy.
class pg_pool {
 public:
  pg_pool(std::string conninfo, std::string password, std::size_t max)
      : conninfo_(std::move(conninfo)), password_(std::move(password)), max_(max) {}

  /// A connection of the pool, outside any transaction; waits while `max` are out.
  result<std::unique_ptr<pg_connection>> take() {
    std::unique_ptr<pg_connection> idle;
    {
      std::unique_lock lock(mutex_);
      returned_.wait(lock, [&] { return !idle_.empty() || out_ < max_; });
      ++out_;
      if (!idle_.empty()) {
        idle = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    // An idle connection came back with its snapshot's ROLLBACK sent (snapshot_lease): its
    // answer has usually arrived by now, and the connection serves only if the transaction ended.
    if (idle && idle->collect_sent() && idle->outside_transaction()) return idle;
    auto opened = pg_connection::open(conninfo_, password_);
    if (!opened) give(nullptr);
    return opened;
  }

  /// Gives a connection back (a broken one, one still in a transaction with no ROLLBACK sent,
  /// or none, is dropped).
  void give(std::unique_ptr<pg_connection> conn) {
    {
      std::lock_guard lock(mutex_);
      --out_;
      if (conn && conn->alive() && (conn->answer_due() || conn->outside_transaction())) idle_.push_back(std::move(conn));
    }
    returned_.notify_one();
  }

 private:
  const std::string conninfo_;
  const std::string password_;
  const std::size_t max_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<pg_connection>> idle_;
  std::size_t out_ = 0;
};

// A read view's transaction: ended, and its connection given back, when the view goes. The
// ROLLBACK is sent, not waited for (the pool's next take collects its answer): PostgreSQL ends
// the snapshot as soon as it reads it, and the request need not wait a round trip for that.
struct snapshot_lease {
  snapshot_lease(pg_pool& owner, std::unique_ptr<pg_connection> taken) : pool(owner), conn(std::move(taken)) {}
  snapshot_lease(const snapshot_lease&) = delete;
  snapshot_lease& operator=(const snapshot_lease&) = delete;
  pg_pool& pool;
  std::unique_ptr<pg_connection> conn;
  ~snapshot_lease() {
    (void)conn->send("ROLLBACK");
    pool.give(std::move(conn));
  }
};

// REPEATABLE READ is PostgreSQL's snapshot isolation. Its snapshot is taken by the first
// statement, not by BEGIN, so one runs at once: the view sees what committed before it opened.
constexpr std::string_view snapshot_begin = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT 1";

// The tables a backup's manifest counts.
constexpr std::array counted_tables{"partners", "api_keys", "users", "customers", "products", "licenses", "subscriptions",
                                    "members", "ledger", "audit", "outbox", "idempotency", "webhook_endpoints"};

// `conninfo` without its password, and the password (empty when it has none): the first goes on
// pg_dump's command line, the second in its environment, where `ps` does not show it.
result<std::pair<std::string, std::string>> conninfo_split(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return errc::bad_request;
  }
  std::string rest;
  std::string password;
  for (auto* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    if (std::string_view(option->keyword) == "password") {
      password = option->val;
      continue;
    }
    std::string quoted;
    for (const char* c = option->val; *c != '\0'; ++c) {
      if (*c == '\\' || *c == '\'') quoted += '\\';
      quoted += *c;
    }
    rest += std::string(option->keyword) + "='" + quoted + "' ";
  }
  PQconninfoFree(options);
  return std::pair{rest, password};
}

// Runs pg_dump of the exported `snapshot` into `file`; true when it exited 0.
bool dump_run(const pg_options& options, const std::string& snapshot, const fs::path& file) {
  auto split = conninfo_split(options.conninfo);
  if (!split) return false;
  if (split->second.empty()) split->second = options.password;
  const auto& program = options.pg_dump;
  std::vector<std::string> args{program, "--format=custom", "--no-password", "--snapshot=" + snapshot,
                                "--file=" + file.string(), "--dbname=" + split->first};
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry)
    if (!std::string_view(*entry).starts_with("PGPASSWORD=")) env.emplace_back(*entry);
  if (!split->second.empty()) env.push_back("PGPASSWORD=" + split->second);
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  pid_t child = 0;
  if (::posix_spawnp(&child, program.c_str(), nullptr, nullptr, argv.data(), envp.data()) != 0) return false;
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return false;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

class pg_store final : public store {
 public:
  pg_store(pg_options options) : options_(std::move(options)), readers_(options_.conninfo, options_.password, options_.readers) {
    for (std::size_t i = 0; i < options_.writers; ++i) writers_.emplace_back([this] { write_loop(); });
  }

  ~pg_store() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& writer : writers_) writer.join();
  }

  result<std::unique_ptr<read_view>> read() const override {
    // An idle connection may have died with its server (a failover): it is dropped and the
    // next one tried, until one begins or a fresh one fails too.
    auto conn = readers_.take();
    for (std::size_t tried = 0;; ++tried) {
      if (!conn) return conn.error();
      auto begun = (*conn)->command(snapshot_begin);
      if (begun) break;
      const bool dead = !(*conn)->alive();
      readers_.give(nullptr);
      if (!dead || tried > options_.readers) return begun.error();
      conn = readers_.take();
    }
    auto& raw = **conn;
    auto lease = std::make_shared<snapshot_lease>(readers_, std::move(*conn));
    return std::unique_ptr<read_view>(std::make_unique<pg_view>(raw, std::move(lease)));
  }

  void submit(job work, done on_done) override {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back({std::move(work), std::move(on_done)});
    }
    wake_.notify_one();
  }

  void sync() noexcept override {}  // every commit is durable when `done` runs

  void metrics_write(metrics::exposition& out) const override {
    using kind = metrics::exposition::kind;
    out.family("licensor_store_commit_batch_size", kind::histogram, "Write jobs committed together in one transaction");
    out.sample({}, batch_sizes_.snapshot());
    out.family("licensor_store_commit_duration_seconds", kind::histogram,
               "Time to commit one batch's transaction (COMMIT's round trip, WAL flush included)");
    out.sample({}, commit_seconds_.snapshot());
    out.family("licensor_store_job_retries_total", kind::counter,
               "Batches of write jobs run again: after a serialization failure or deadlock, or a connection lost before COMMIT");
    out.sample({{"reason", "serialization"}}, static_cast<double>(serialization_retries_.value()));
    out.sample({{"reason", "connection"}}, static_cast<double>(connection_retries_.value()));
    out.family("licensor_store_commit_outcome_unknown_total", kind::counter,
               "Batches whose connection was lost during COMMIT: their jobs failed, their outcome unknown");
    out.sample({}, static_cast<double>(unknown_outcomes_.value()));
    std::size_t queued = 0;
    {
      std::lock_guard lock(mutex_);
      queued = queue_.size();
    }
    out.family("licensor_store_write_queue_jobs", kind::gauge, "Write jobs waiting for a writer");
    out.sample({}, static_cast<double>(queued));
  }

  result<backup_manifest> backup(const fs::path& dir) const override {
    std::error_code ec;
    if (fs::exists(dir, ec)) return errc::conflict;
    fs::create_directories(dir, ec);
    if (ec) return errc::io_error;
    fs::permissions(dir, fs::perms::owner_all, ec);
    // One exported snapshot serves the counts and pg_dump, so they agree.
    auto conn = readers_.take();
    if (!conn) return conn.error();
    snapshot_lease lease{readers_, std::move(*conn)};
    if (auto begun = lease.conn->command(snapshot_begin); !begun) return begun.error();
    auto snapshot = lease.conn->exec("SELECT pg_export_snapshot()");
    if (!snapshot) return snapshot.error();
    backup_manifest manifest;
    manifest.taken_at = static_cast<std::int64_t>(std::time(nullptr));
    manifest.backend = "postgresql";
    auto version = pg_schema_recorded(*lease.conn);
    if (!version) return version.error();
    manifest.schema_version = *version;
    for (const char* table : counted_tables) {
      auto rows = lease.conn->exec("SELECT count(*) FROM " + std::string(table));
      if (!rows) return rows.error();
      manifest.counts[table] = static_cast<std::uint64_t>(rows->i64(0, 0));
    }
    const auto file = dir / "store.dump";
    if (!dump_run(options_, std::string(snapshot->text(0, 0)), file)) return errc::io_error;
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, ec);
    auto digest = file_digest_of(file);
    if (!digest) return digest.error();
    manifest.bytes = digest->bytes;
    manifest.sha256 = digest->sha256;
    if (auto synced = path_sync(file); !synced) return synced.error();
    if (auto written = manifest_write(dir, manifest); !written) return written.error();
    return manifest;
  }

 private:
  struct pending {
    job work;
    done on_done;
  };

  void write_loop() {
    thread_name_set("store-writer");
    std::unique_ptr<pg_connection> conn;
    std::minstd_rand jitter(std::random_device{}());
    for (;;) {
      std::vector<pending> batch;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping with nothing left
        // Whatever queued up while the previous batch committed joins this one.
        while (!queue_.empty() && batch.size() < max_batch) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      batch_sizes_.observe(static_cast<double>(batch.size()));
      const auto outcomes = batch_run(conn, batch, jitter);
      for (std::size_t i = 0; i < batch.size(); ++i) batch[i].on_done(outcomes[i]);
    }
  }

  // Runs the batch's jobs in one transaction, each under a savepoint (a job that fails is rolled
  // back alone), until one run counts: committed, failed, or of unknown outcome. A serialization
  // failure, or a connection lost before COMMIT, runs the whole batch again.
  std::vector<result<void>> batch_run(std::unique_ptr<pg_connection>& conn, const std::vector<pending>& batch,
                                      std::minstd_rand& jitter) {
    const auto deadline = std::chrono::steady_clock::now() + options_.retry_for;
    std::vector<result<void>> outcomes(batch.size());
    const auto all = [&](result<void> outcome) { return std::vector<result<void>>(batch.size(), outcome); };
    for (unsigned attempt = 0;; ++attempt) {
      if (attempt > 0) {
        if (std::chrono::steady_clock::now() > deadline) return all(errc::storage_error);
        const bool reconnecting = !conn || !conn->alive();
        // Contenders for one row spread out; a lost server is given time to come back.
        const auto most = reconnecting ? 500 : std::min(1u << std::min(attempt, 6u), 64u);
        std::this_thread::sleep_for(std::chrono::milliseconds(jitter() % (most + 1)));
      }
      if (!conn || !conn->alive()) {
        conn.reset();
        auto opened = pg_connection::open(options_.conninfo, options_.password);
        if (!opened) {
          connection_retries_.add();
          continue;
        }
        conn = std::move(*opened);
      }
      // The first job's savepoint goes with BEGIN, in one round trip.
      if (auto begun = conn->command("BEGIN ISOLATION LEVEL SERIALIZABLE; SAVEPOINT job"); !begun) {
        if (conn->alive()) return all(begun.error());
        connection_retries_.add();
        continue;
      }
      const auto ran = jobs_run(*conn, batch, outcomes);
      if (ran == pg_failure::retry || ran == pg_failure::connection) {
        (void)conn->command("ROLLBACK");
        (ran == pg_failure::retry ? serialization_retries_ : connection_retries_).add();
        continue;  // nothing was committed: every job runs again
      }
      if (ran != pg_failure::none) {
        (void)conn->command("ROLLBACK");
        return all(errc::storage_error);
      }
      const auto started = std::chrono::steady_clock::now();
      auto committed = conn->command("COMMIT");
      commit_seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      if (committed) return outcomes;
      if (conn->last_failure() == pg_failure::retry) {  // refused at commit: rolled back
        serialization_retries_.add();
        continue;
      }
      if (conn->last_failure() == pg_failure::connection) unknown_outcomes_.add();
      return all(committed.error());
    }
  }

  // Runs each job under a savepoint (the first is taken with BEGIN), noting its outcome. Returns
  // what ended the run early: a failure that dooms the whole transaction (retry, connection, or
  // a savepoint that could not be taken), none when every job ran.
  //
  // Round trips are the writer's cost, so what a job sent ahead (pg_views.hpp) and the next
  // job's savepoint wait for the next job's first round trip (the last job's go before COMMIT).
  // A job's outcome is therefore known only once the next job's first answers came: if its
  // writes failed there, it is rolled back and fails, and the next job, whose statements did
  // not run, runs again.
  static pg_failure jobs_run(pg_connection& conn, const std::vector<pending>& batch, std::vector<result<void>>& outcomes) {
    const auto sent = [&conn](std::string_view sql) {
      return conn.command(sql) ? pg_failure::none : conn.alive() ? pg_failure::other : pg_failure::connection;
    };
    constexpr std::string_view undo_and_go_on = "ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job; SAVEPOINT job";
    pg_numbering numbering;
    pg_numbering numbered_before_carried;  // before the job whose writes are carried
    std::vector<pg_statement> carried;
    for (std::size_t i = 0; i < batch.size();) {
      const bool last = i + 1 == batch.size();
      const auto numbered_before = numbering;
      pg_view view(conn, numbering, std::move(carried));
      carried.clear();
      result<void> outcome = errc::internal;
      try {
        outcome = batch[i].work(view);
      } catch (...) {
        outcome = errc::internal;  // a job that throws (a bug) fails alone
      }
      view.settle_carried();
      if (outcome && last) view.settle();
      if (view.failure() == pg_failure::retry || view.failure() == pg_failure::connection) return view.failure();
      if (const auto previous_failed = view.carried_failed()) {
        outcomes[i - 1] = *previous_failed;
        numbering = numbered_before_carried;
        if (auto undone = sent(undo_and_go_on); undone != pg_failure::none) return undone;
        continue;  // job i runs again
      }
      const bool failed = view.failure() != pg_failure::none || !outcome;
      outcomes[i] = !failed ? result<void>{} : outcome ? result<void>{view.failed()} : outcome;
      if (!failed && !last) {
        carried = view.ahead_take();
        carried.push_back({"RELEASE SAVEPOINT job", {}});
        carried.push_back({"SAVEPOINT job", {}});
        numbered_before_carried = numbered_before;
      } else if (failed) {
        numbering = numbered_before;  // the rollback gives the job's numbers back
        if (auto undone = sent(last ? "ROLLBACK TO SAVEPOINT job" : undo_and_go_on); undone != pg_failure::none) return undone;
      }
      ++i;
    }
    return pg_failure::none;
  }

  static constexpr std::size_t max_batch = 256;

  const pg_options options_;
  mutable pg_pool readers_;
  std::vector<std::thread> writers_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<pending> queue_;
  bool stopping_ = false;
  metrics::histogram commit_seconds_{metrics::histogram::latency_seconds()};
  metrics::histogram batch_sizes_{metrics::histogram::sizes()};
  metrics::counter serialization_retries_;
  metrics::counter connection_retries_;
  metrics::counter unknown_outcomes_;
};

}  // namespace

std::string pg_conninfo_problem(const std::string& conninfo) {
  auto split = conninfo_split(conninfo);
  if (!split) return "not a PostgreSQL connection string (a postgresql:// URI or libpq keywords)";
  if (!split->second.empty()) return "holds a password: give it in --store-password-file, PGPASSWORD or ~/.pgpass";
  return {};
}

result<std::unique_ptr<store>> pg_store_open(const pg_options& options) {
  auto conn = pg_connection::open(options.conninfo, options.password);
  if (!conn) return conn.error();
  if (auto migrated = pg_schema_migrate(**conn); !migrated) return migrated.error();
  return std::unique_ptr<store>(std::make_unique<pg_store>(options));
}

}  // namespace licensor::store
