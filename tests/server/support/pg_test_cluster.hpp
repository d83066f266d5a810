// A throwaway PostgreSQL 15 for the test process (tests/pg_cluster): started on first use, stopped
// with its folder at exit. Suites choose their store by LICENSOR_TEST_STORE: "postgresql" runs
// every licensord a suite starts on a fresh database of it; anything else, the LMDB default.
#pragma once

#include <string>

namespace licensor::testing {

/// True when LICENSOR_TEST_STORE asks for PostgreSQL.
[[nodiscard]] bool test_store_is_postgresql();

/// The connection string of the database named after `key` (any text), created on first use:
/// the same key gives the same database (a store reopened), a new key a new, empty one.
/// Throws std::runtime_error when PostgreSQL cannot be started.
[[nodiscard]] std::string pg_test_database(const std::string& key);

}  // namespace licensor::testing
