#include "app/store_commands.hpp"

#include <cstdio>
#include <ctime>

#include "core/backups.hpp"
#include "store/lmdb/backup.hpp"
#include "app/store_open.hpp"

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

}  // namespace licensor::server
