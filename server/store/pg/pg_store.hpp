// The PostgreSQL store: the storage port on tables in one database (docs/postgresql.md), shared
// by any number of licensord replicas. The only header of store/pg/ that other layers include;
// it shows nothing of libpq.
//
// Write jobs run on a few writer threads, each its own connection, each job in one SERIALIZABLE
// transaction; a serialization failure or deadlock runs the job again, as the port allows. A job
// whose connection broke before COMMIT was sent rolled back, so it runs again on a new
// connection (a failover); one whose connection broke during COMMIT has an unknown outcome and
// fails with storage_error, never retried here (the Idempotency-Key makes the client's retry safe).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "store/store.hpp"

namespace licensor::store {

struct pg_options {
  /// libpq's connection string: a URI (postgresql://…) or keywords. It may hold a password; it
  /// is never logged nor passed on a command line.
  std::string conninfo;
  /// The password, when the connection string has none (libpq also reads PGPASSWORD and
  /// ~/.pgpass itself).
  std::string password;
  std::size_t writers = 8;        ///< connections running write jobs at once
  std::size_t readers = 32;       ///< connections for read views at most (a read waits for one)
  /// How long a job keeps running again after serialization failures or a lost connection.
  std::chrono::milliseconds retry_for{60000};
  std::string pg_dump = "pg_dump";  ///< for backups
};

/// Why `conninfo` cannot name the store ("" when it can): libpq cannot parse it, or it holds a
/// password (which belongs in a file or the environment, never on a command line).
[[nodiscard]] std::string pg_conninfo_problem(const std::string& conninfo);

/// Connects, migrates the schema (pg_schema.hpp) and starts the writers. Errors: schema_too_new,
/// storage_error when the database cannot be reached.
[[nodiscard]] result<std::unique_ptr<store>> pg_store_open(const pg_options& options);

}  // namespace licensor::store
