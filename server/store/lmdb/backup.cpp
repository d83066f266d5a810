#include "store/lmdb/backup.hpp"

#include <charconv>
#include <fstream>

#include "store/backup_files.hpp"
#include "store/lmdb/lmdb_views.hpp"
#include "store/lmdb/schema.hpp"

namespace licensor::store {

namespace {

namespace fs = std::filesystem;

constexpr const char* snapshot_file = "data.mdb";

result<int> schema_version_of(const txn& read) {
  auto recorded = read.get(db::meta, "schema_version");
  if (!recorded) return recorded.error();
  if (!*recorded) return errc::storage_error;
  int version = 0;
  const auto& text = **recorded;
  if (std::from_chars(text.data(), text.data() + text.size(), version).ec != std::errc{}) return errc::storage_error;
  return version;
}

// Reads every record of every sub-database (so a damaged page shows here, not in production)
// and compares the numbers with the manifest's, then the counters with a recount.
result<void> snapshot_verify(const fs::path& dir, const backup_manifest& manifest, std::string& problem) {
  auto env = lmdb_env::open_snapshot(dir, store_databases());
  if (!env) {
    problem = "the snapshot does not open as a Licensor store";
    return errc::malformed;
  }
  auto read = (*env)->begin_read();
  if (!read) return read.error();
  for (const auto& name : store_databases()) {
    std::uint64_t records = 0;
    auto scanned = read->scan(name, "", "", SIZE_MAX, [&](std::string_view, std::string_view) {
      ++records;
      return true;
    });
    if (!scanned) {
      problem = name + ": the records cannot be read";
      return errc::malformed;
    }
    const auto expected = manifest.counts.find(name);
    if (expected == manifest.counts.end() || expected->second != records) {
      problem = name + ": " + std::to_string(records) + " records, the manifest says " +
                (expected == manifest.counts.end() ? std::string("nothing") : std::to_string(expected->second));
      return errc::malformed;
    }
  }
  auto differences = counters_recount_differences(*read);
  if (!differences) {
    problem = "a license record does not decode";
    return errc::malformed;
  }
  if (!differences->empty()) {
    problem = "counters differ from a recount:\n" + *differences;
    return errc::malformed;
  }
  return {};
}

}  // namespace

result<backup_manifest> lmdb_backup(const lmdb_env& env, const fs::path& dir, std::int64_t now) {
  std::error_code ec;
  if (fs::exists(dir, ec)) return errc::conflict;
  fs::create_directories(dir, ec);
  if (ec) return errc::io_error;
  fs::permissions(dir, fs::perms::owner_all, ec);
  if (auto copied = env.copy_compact(dir / snapshot_file); !copied) return copied.error();

  backup_manifest manifest;
  manifest.taken_at = now;
  manifest.backend = "lmdb";
  {
    auto snapshot = lmdb_env::open_snapshot(dir, store_databases());
    if (!snapshot) return snapshot.error();
    auto read = (*snapshot)->begin_read();
    if (!read) return read.error();
    auto version = schema_version_of(*read);
    if (!version) return version.error();
    manifest.schema_version = *version;
    for (const auto& name : store_databases()) {
      auto entries = read->entries(name);
      if (!entries) return entries.error();
      manifest.counts[name] = *entries;
    }
  }
  auto digest = file_digest_of(dir / snapshot_file);
  if (!digest) return digest.error();
  manifest.bytes = digest->bytes;
  manifest.sha256 = digest->sha256;
  if (auto written = manifest_write(dir, manifest); !written) return written.error();
  return manifest;
}

result<backup_manifest> lmdb_backup_check(const fs::path& dir, std::string& problem) {
  backup_manifest manifest;
  {
    std::ifstream in(dir / manifest_file);
    if (!in) {
      problem = "no manifest.json in " + dir.string();
      return errc::malformed;
    }
    try {
      manifest = nlohmann::json::parse(in).get<backup_manifest>();
    } catch (const nlohmann::json::exception& error) {
      problem = std::string("manifest.json: ") + error.what();
      return errc::malformed;
    }
  }
  if (manifest.backend != "lmdb") {
    problem = "the snapshot is of the " + manifest.backend + " backend";
    return errc::malformed;
  }
  if (manifest.schema_version > schema_version) {
    problem = "the snapshot was taken by a newer Licensor (schema " + std::to_string(manifest.schema_version) + ")";
    return errc::schema_too_new;
  }
  auto digest = file_digest_of(dir / snapshot_file);
  if (!digest) {
    problem = "no readable data.mdb in " + dir.string();
    return errc::malformed;
  }
  if (digest->bytes != manifest.bytes || digest->sha256 != manifest.sha256) {
    problem = "data.mdb does not match its manifest (size or SHA-256): the snapshot is damaged";
    return errc::malformed;
  }
  if (auto verified = snapshot_verify(dir, manifest, problem); !verified) return verified.error();
  return manifest;
}

result<backup_manifest> lmdb_restore(const fs::path& dir, const fs::path& store_dir, const fs::path& replaced_to,
                                     std::string& problem) {
  auto manifest = lmdb_backup_check(dir, problem);
  if (!manifest) return manifest;
  if (lmdb_in_use(store_dir)) {
    problem = "a process has the store open: stop licensord first";
    return errc::conflict;
  }
  std::error_code ec;
  if (fs::exists(replaced_to, ec)) {
    problem = replaced_to.string() + " exists";
    return errc::conflict;
  }
  // Copied beside the store (same file system, so the swap is two renames), migrated to this
  // binary's schema, and checked again before anything of the store moves.
  const auto staging = fs::path(store_dir.string() + ".restoring");
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) return errc::io_error;
  fs::permissions(staging, fs::perms::owner_all, ec);
  fs::copy_file(dir / snapshot_file, staging / snapshot_file, ec);
  if (ec) return errc::io_error;
  {
    auto opened = store_open(staging, {});
    if (!opened) {
      problem = "the copy of the snapshot does not open as a store";
      return opened.error();
    }
    (*opened)->sync();
  }
  {
    auto env = lmdb_env::open_snapshot(staging, store_databases());
    if (!env) return env.error();
    auto read = (*env)->begin_read();
    if (!read) return read.error();
    auto differences = counters_recount_differences(*read);
    if (!differences || !differences->empty()) {
      problem = "after migration, counters differ from a recount";
      return errc::malformed;
    }
  }
  if (fs::exists(store_dir, ec)) {
    fs::rename(store_dir, replaced_to, ec);
    if (ec) return errc::io_error;
  }
  fs::rename(staging, store_dir, ec);
  if (ec) return errc::io_error;
  if (auto synced = path_sync(store_dir.parent_path().empty() ? fs::path(".") : store_dir.parent_path()); !synced)
    return synced.error();
  return manifest;
}

}  // namespace licensor::store
