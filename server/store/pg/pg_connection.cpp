#include "store/pg/pg_connection.hpp"

#include <charconv>
#include <cstdio>
#include <vector>

namespace licensor::store {

namespace {

// SQLSTATEs a job survives by running again: serialization_failure and deadlock_detected. (Under
// SERIALIZABLE, a key a concurrent transaction inserted after this one looked for it is reported
// as a serialization failure too; the port's inserts look first.)
bool retryable(std::string_view sqlstate) { return sqlstate == "40001" || sqlstate == "40P01"; }

constexpr std::string_view disk_full = "53100";
constexpr std::string_view unique_violation = "23505";
// Class 22, data exception: text that is not UTF-8 or holds \u0000 (which jsonb cannot keep), a
// number out of range. Only a client's input gets that far.
constexpr std::string_view data_exception_class = "22";

}  // namespace

std::uint64_t pg_rows::affected() const {
  std::uint64_t count = 0;
  const std::string_view text = PQcmdTuples(result_.get());
  std::from_chars(text.data(), text.data() + text.size(), count);
  return count;
}

std::int64_t pg_rows::i64(int row, int column) const {
  std::int64_t value = 0;
  const auto cell = text(row, column);
  std::from_chars(cell.data(), cell.data() + cell.size(), value);
  return value;
}

result<std::unique_ptr<pg_connection>> pg_connection::open(const std::string& conninfo, const std::string& password) {
  // expand_dbname: the first value is a whole connection string; a password given here is added
  // to it (libpq's own sources, PGPASSWORD and ~/.pgpass, apply when none is).
  const char* keywords[] = {"dbname", password.empty() ? nullptr : "password", nullptr};
  const char* values[] = {conninfo.c_str(), password.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return errc::storage_error;
  if (PQstatus(conn) != CONNECTION_OK) {
    std::fprintf(stderr, "store: cannot connect to PostgreSQL: %s", PQerrorMessage(conn));
    PQfinish(conn);
    return errc::storage_error;
  }
  // The server's notices (a table that exists, skipped) are not the operator's concern.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<pg_connection>(new pg_connection(conn));
}

pg_connection::~pg_connection() { PQfinish(conn_); }

result<pg_rows> pg_connection::outcome(PGresult* result) {
  const auto status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    last_failure_ = pg_failure::none;
    last_sqlstate_.clear();
    return pg_rows(result);
  }
  const char* sqlstate = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  last_sqlstate_ = sqlstate == nullptr ? "" : sqlstate;
  if (!alive()) {
    last_failure_ = pg_failure::connection;
  } else if (retryable(last_sqlstate_)) {
    last_failure_ = pg_failure::retry;
  } else if (last_sqlstate_ == unique_violation) {
    last_failure_ = pg_failure::other;  // the port's inserts answer conflict
    if (result != nullptr) PQclear(result);
    return errc::conflict;
  } else if (last_sqlstate_.starts_with(data_exception_class)) {
    last_failure_ = pg_failure::other;  // the request's own data: a 4xx, nothing for the log
    if (result != nullptr) PQclear(result);
    return errc::bad_request;
  } else {
    last_failure_ = pg_failure::other;
    // The primary message only: details may quote the row's values.
    const char* message = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    std::fprintf(stderr, "store: PostgreSQL error %s: %s\n", last_sqlstate_.c_str(),
                 message != nullptr ? message : PQerrorMessage(conn_));
  }
  if (result != nullptr) PQclear(result);
  return last_sqlstate_ == disk_full ? errc::storage_full : errc::storage_error;
}

result<pg_rows> pg_connection::exec(std::string_view sql, std::span<const pg_param> params) {
  auto found = prepared_.find(std::string(sql));
  if (found == prepared_.end()) {
    const auto name = "s" + std::to_string(prepared_.size() + 1);
    auto prepared = outcome(PQprepare(conn_, name.c_str(), std::string(sql).c_str(), static_cast<int>(params.size()), nullptr));
    if (!prepared) return prepared.error();
    found = prepared_.emplace(std::string(sql), name).first;
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) values.push_back(param.text ? param.text->c_str() : nullptr);
  return outcome(PQexecPrepared(conn_, found->second.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                                nullptr, 0));
}

result<void> pg_connection::command(std::string_view sql) {
  auto done = outcome(PQexec(conn_, std::string(sql).c_str()));
  if (!done) return done.error();
  return {};
}

}  // namespace licensor::store
