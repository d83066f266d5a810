// This replica's name in the lease on shared work (core/replica.hpp): kept in the data dir, so
// it stays the same across restarts (a replica that restarts takes its own lease back at once,
// instead of waiting for it to lapse) and differs between replicas, each with its data dir.
#pragma once

#include <filesystem>
#include <string>

#include "licensor/error.hpp"
#include "licensor/result.hpp"

namespace licensor::server {

/// The id in `data_dir`/replica-id, written first (the host's name and 64 random bits, 0600)
/// when there is none. Errors: io_error.
[[nodiscard]] result<std::string> replica_id_ensure(const std::filesystem::path& data_dir);

}  // namespace licensor::server
