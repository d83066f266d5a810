// licensord's offline store commands: `backup` (safe while a server runs on the same data dir),
// `restore` and `move-store` (only while none does). Each prints what it did and returns the
// exit code.
#pragma once

#include <filesystem>

#include "app/config.hpp"

namespace licensor::server {

/// Writes a snapshot of config.data_dir's store into a new folder of config.backup_dir and
/// prints the folder and its manifest. 0 on success, 1 on failure.
int backup_command(const daemon_config& config);

/// Checks the snapshot in `from` and puts it in place of config.data_dir's store, keeping the
/// replaced store beside it. Touches nothing when a check fails. 0 on success, 1 on failure.
int restore_command(const daemon_config& config, const std::filesystem::path& from);

/// Copies every record of the configured store into `target` (core/store_move.hpp), which must
/// be empty: from the LMDB store in config.data_dir into the PostgreSQL store `target` names
/// (a URI or libpq keywords; its password as for --store), or, when --store names the source,
/// into a new LMDB store in the data dir `target`. Prints the counts of both and whether the
/// target's counters equal their recounts. 0 when everything matches, 1 otherwise.
int move_store_command(const daemon_config& config, const std::string& target);

}  // namespace licensor::server
