// The PostgreSQL store: the storage port on tables in one database (docs/postgresql.md), shared
// by any number of licensord replicas. The only header of store/pg/ that other layers include;
// it shows nothing of libpq.
//
// Write jobs are group-committed, as on LMDB: a writer thread runs the jobs queued together in
// one SERIALIZABLE transaction, each under a savepoint (a job that fails is rolled back alone),
// and commits once. A serialization failure or deadlock (another replica's transaction) runs the
// batch again, as the port allows. A batch whose connection broke before COMMIT was sent rolled
// back, so it runs again on a new connection (a failover); one whose connection broke during
// COMMIT has an unknown outcome and fails with storage_error, never retried here (the
// Idempotency-Key makes the client's retry safe).
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
  /// Writer threads, each with its connection. One by default: the audit log and the outbox are
  /// numbered from one row each, so concurrent writers of one replica would mostly abort each
  /// other; a batch amortises COMMIT instead. (The contract suite runs several, to exercise
  /// the re-runs.)
  std::size_t writers = 1;
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
