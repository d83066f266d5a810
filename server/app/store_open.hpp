// Which store licensord runs on: the embedded LMDB store in the data dir, or PostgreSQL when
// --store names one (docs/postgresql.md).
#pragma once

#include <memory>
#include <string>

#include "app/config.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// Opens the configured store. On failure, `where` names it for the message (never a secret).
[[nodiscard]] result<std::unique_ptr<store::store>> configured_store_open(const daemon_config& config, std::string& where);

}  // namespace licensor::server
