// The PostgreSQL store's tables and their versioned migrations. Internal to store/pg/.
//
// Each migration runs in its own transaction and records its version in schema_migrations, under
// an advisory lock, so replicas starting at once migrate once. A database whose newest recorded
// version is higher than the binary knows is refused (schema_too_new), as an LMDB store is.
#pragma once

#include "store/pg/pg_connection.hpp"

namespace licensor::store {

/// 1: every table of the port (partners, API keys, people, customers, products, licenses and
///    their token bindings, free slots and caps, subscriptions, members, ledger, schedule, audit,
///    outbox, idempotency, webhooks, mail, sweeps, campaigns, imports).
inline constexpr int pg_schema_version = 1;

/// Brings the database to pg_schema_version. Errors: schema_too_new, storage_*.
[[nodiscard]] result<void> pg_schema_migrate(pg_connection& conn);

/// The newest version recorded in the database (0: none).
[[nodiscard]] result<int> pg_schema_recorded(pg_connection& conn);

}  // namespace licensor::store
