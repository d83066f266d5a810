#include "store/pg/pg_connection.hpp"

#include <algorithm>
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

std::vector<const char*> param_values(std::span<const pg_param> params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) values.push_back(param.text ? param.text->c_str() : nullptr);
  return values;
}

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

const std::string* pg_connection::prepared_name(std::string_view sql) const {
  const auto found = prepared_.find(std::string(sql));
  return found == prepared_.end() ? nullptr : &found->second;
}

result<pg_rows> pg_connection::exec(std::string_view sql, std::span<const pg_param> params) {
  const std::string* name = prepared_name(sql);
  if (name == nullptr) {
    const auto fresh = "s" + std::to_string(prepared_.size() + 1);
    auto prepared = outcome(PQprepare(conn_, fresh.c_str(), std::string(sql).c_str(), static_cast<int>(params.size()), nullptr));
    if (!prepared) return prepared.error();
    name = &prepared_.emplace(std::string(sql), fresh).first->second;
  }
  const auto values = param_values(params);
  return outcome(PQexecPrepared(conn_, name->c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0));
}

std::vector<result<pg_rows>> pg_connection::exec_all(std::span<const pg_statement> statements) {
  // What went into the pipeline, in order: a statement's preparation (under `prepare_as`) or its run.
  struct sent {
    std::size_t statement;
    std::string prepare_as;
  };
  std::vector<sent> pipeline;
  std::unordered_map<std::string_view, std::string> preparing;  // prepared in this pipeline, by text
  const auto send = [&](std::size_t i) {
    const auto& statement = statements[i];
    const auto values = param_values(statement.params);
    const auto count = static_cast<int>(values.size());
    if (values.empty())
      return PQsendQueryParams(conn_, statement.sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
    const std::string* name = prepared_name(statement.sql);
    if (name == nullptr) {
      auto [fresh, is_new] = preparing.try_emplace(statement.sql, "s" + std::to_string(prepared_.size() + preparing.size() + 1));
      if (is_new) {
        if (PQsendPrepare(conn_, fresh->second.c_str(), statement.sql.c_str(), count, nullptr) != 1) return false;
        pipeline.push_back({i, fresh->second});
      }
      name = &fresh->second;
    }
    return PQsendQueryPrepared(conn_, name->c_str(), count, values.data(), nullptr, nullptr, 0) == 1;
  };

  std::vector<std::optional<result<pg_rows>>> answers(statements.size());
  std::optional<errc> first_error;
  if (PQenterPipelineMode(conn_) == 1) {
    for (std::size_t i = 0; i < statements.size(); ++i) {
      const bool queued = send(i);
      if (!queued) break;
      pipeline.push_back({i, {}});
    }
    PQpipelineSync(conn_);
    for (const auto& entry : pipeline) {
      PGresult* result = PQgetResult(conn_);
      if (result == nullptr) break;  // the connection broke: nothing more comes
      while (PGresult* end = PQgetResult(conn_)) PQclear(end);  // the command's end (a null)
      auto& answer = answers[entry.statement];
      if (PQresultStatus(result) == PGRES_PIPELINE_ABORTED) {
        PQclear(result);
        continue;  // after the first failure: answers it below
      }
      auto done = outcome(result);
      if (!done && !first_error) first_error = done.error();
      if (!entry.prepare_as.empty()) {
        if (done) prepared_.emplace(statements[entry.statement].sql, entry.prepare_as);
        if (!done) answer = done.error();
      } else if (!answer) {
        answer = std::move(done);
      }
    }
    while (PGresult* result = PQgetResult(conn_)) {  // up to and including the sync
      const bool synced = PQresultStatus(result) == PGRES_PIPELINE_SYNC;
      PQclear(result);
      if (synced) break;
    }
    // A connection that cannot leave pipeline mode would refuse every later statement: it is
    // reported dead, so that the store drops it and opens another.
    stuck_ = PQexitPipelineMode(conn_) != 1;
  }
  if (!first_error && std::any_of(answers.begin(), answers.end(), [](const auto& answer) { return !answer; })) {
    // Not sent, or no answer came: the connection is gone or unusable.
    last_failure_ = alive() ? pg_failure::other : pg_failure::connection;
    first_error = errc::storage_error;
  }
  std::vector<result<pg_rows>> out;
  out.reserve(answers.size());
  for (auto& answer : answers) out.push_back(answer ? std::move(*answer) : result<pg_rows>{*first_error});
  return out;
}

result<void> pg_connection::command(std::string_view sql) {
  auto done = outcome(PQexec(conn_, std::string(sql).c_str()));
  if (!done) return done.error();
  return {};
}

bool pg_connection::send(std::string_view sql) {
  if (!collect_sent()) return false;
  answer_due_ = PQsendQuery(conn_, std::string(sql).c_str()) == 1;
  return answer_due_;
}

bool pg_connection::collect_sent() {
  if (!answer_due_) return true;
  answer_due_ = false;
  bool succeeded = true;
  while (PGresult* result = PQgetResult(conn_)) {
    if (PQresultStatus(result) != PGRES_COMMAND_OK) succeeded = false;
    PQclear(result);
  }
  return succeeded;
}

}  // namespace licensor::store
