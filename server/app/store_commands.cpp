#include "app/store_commands.hpp"

#include <cstdio>
#include <ctime>
#include <set>

#include "core/backups.hpp"
#include "core/store_move.hpp"
#include "store/lmdb/backup.hpp"
#include "app/store_open.hpp"
#include "store/pg/pg_store.hpp"

namespace licensor::server {

namespace {

std::filesystem::path store_dir_of(const daemon_config& config) { return config.data_dir / "store"; }

int report_failure(const char* what, errc code, const std::string& problem) {
  std::fprintf(stderr, "licensord: %s failed: %s (%s)%s%s\n", what, std::string(errc_message(code)).c_str(),
               std::string(errc_code(code)).c_str(), problem.empty() ? "" : "\n  ", problem.c_str());
  return 1;
}

}  // namespace

int backup_command(const daemon_config& config) {
  // Opening the store beside a running server is what LMDB is made for (the copy reads in its
  // own read transaction while the server's writer goes on), and what PostgreSQL does anyway.
  std::string where;
  auto store = configured_store_open(config, where);
  if (!store) return report_failure("backup", store.error(), where);
  const auto dir = backup_folder(config.backup_dir, static_cast<std::int64_t>(std::time(nullptr)));
  auto manifest = (*store)->backup(dir);
  if (!manifest) return report_failure("backup", manifest.error(), "");
  std::printf("backup written to %s\n%s\n", dir.c_str(), nlohmann::json(*manifest).dump(1).c_str());
  return 0;
}

int restore_command(const daemon_config& config, const std::filesystem::path& from) {
  if (!config.store.empty())
    return report_failure("restore", errc::bad_request,
                          "a PostgreSQL store is restored with pg_restore (docs/postgresql.md), not by licensord");
  const auto store_dir = store_dir_of(config);
  const auto replaced_to = config.data_dir / ("store.replaced-" + std::to_string(std::time(nullptr)));
  std::string problem;
  auto manifest = store::lmdb_restore(from, store_dir, replaced_to, problem);
  if (!manifest) return report_failure("restore", manifest.error(), problem);
  std::printf("restored %s (taken %s) into %s; the replaced store is in %s\n", from.c_str(),
              nlohmann::json(*manifest).at("taken_at").get<std::string>().c_str(), store_dir.c_str(),
              replaced_to.c_str());
  return 0;
}

int move_store_command(const daemon_config& config, const std::string& target) {
  // One side is PostgreSQL: LMDB to LMDB is a backup and a restore.
  daemon_config into = config;
  if (config.store.empty()) {
    // As --store: a password belongs in a file or the environment, never in `ps`.
    if (auto problem = store::pg_conninfo_problem(target); !problem.empty())
      return report_failure("move-store", errc::bad_request, "TARGET " + problem);
    into.store = target;
  } else {
    into.store.clear();
    into.data_dir = target;
    if (std::filesystem::exists(into.data_dir / "store"))
      return report_failure("move-store", errc::conflict, into.data_dir.string() + " holds a store already");
  }
  std::string from_where;
  auto from = configured_store_open(config, from_where);
  if (!from) return report_failure("move-store", from.error(), from_where);
  std::string into_where;
  auto to = configured_store_open(into, into_where);
  if (!to) return report_failure("move-store", to.error(), into_where);
  std::printf("moving every record from the %s into the %s\n", from_where.c_str(), into_where.c_str());
  std::fflush(stdout);

  constexpr std::size_t batch = 1000;
  constexpr std::uint64_t report_every = 100'000;
  std::uint64_t reported = 0;
  const store_move_progress progress = [&reported](std::string_view collection, std::uint64_t copied) {
    if (copied - reported < report_every) return;
    reported = copied;
    std::printf("  %llu records copied (now %.*s)\n", static_cast<unsigned long long>(copied),
                static_cast<int>(collection.size()), collection.data());
    std::fflush(stdout);
  };
  std::string problem;
  auto report = store_move(**from, **to, batch, progress, problem);
  (*to)->sync();
  if (!report) return report_failure("move-store", report.error(), problem);

  std::set<std::string> collections;
  for (const auto& [name, count] : report->source) collections.insert(name);
  for (const auto& [name, count] : report->target) collections.insert(name);
  std::printf("%-24s %12s %12s\n", "collection", "source", "target");
  for (const auto& name : collections) {
    const auto count_in = [&name](const collection_counts& counts) {
      const auto found = counts.find(name);
      return static_cast<unsigned long long>(found == counts.end() ? 0 : found->second);
    };
    const auto in_source = count_in(report->source);
    const auto in_target = count_in(report->target);
    std::printf("%-24s %12llu %12llu%s\n", name.c_str(), in_source, in_target, in_source == in_target ? "" : "  DIFFERS");
  }
  if (!report->counter_differences.empty())
    std::printf("counters that differ from a recount of the target:\n%s", report->counter_differences.c_str());
  else
    std::printf("every counter of the target equals its recount\n");
  if (!report->matches()) {
    std::fprintf(stderr, "licensord: move-store: the target does not match the source (above); do not start on it\n");
    return 1;
  }
  std::printf("moved: start licensord with %s\n",
              config.store.empty() ? "--store and the same key dir" : ("--data-dir " + into.data_dir.string()).c_str());
  return 0;
}

}  // namespace licensor::server
