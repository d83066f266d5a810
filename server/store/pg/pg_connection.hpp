// One libpq connection, with the statements it has prepared, and the rows of a result. The only
// header that includes <libpq-fe.h>; internal to store/pg/.
//
// Every statement is prepared on its connection the first time it runs there (by its text), so a
// statement is parsed and planned once per connection. Parameters and results travel as text.
// Several statements can go in one round trip (exec_all, libpq's pipeline mode): a store job's
// reads and writes are mostly small, so waiting for each answer would cost more than the work.
//
// Thread safety: none; a connection belongs to one thread at a time (the pool hands it out).
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "licensor/result.hpp"

namespace licensor::store {

/// A statement's parameter: text, or SQL NULL.
struct pg_param {
  std::optional<std::string> text;
  pg_param(std::string_view value) : text(std::string(value)) {}  // NOLINT: implicit by design
  pg_param(const std::string& value) : text(value) {}             // NOLINT
  pg_param(const char* value) : text(std::string(value)) {}       // NOLINT
  pg_param(std::int64_t value) : text(std::to_string(value)) {}   // NOLINT
  pg_param(std::uint64_t value) : text(std::to_string(value)) {}  // NOLINT
  pg_param(int value) : text(std::to_string(value)) {}            // NOLINT
  pg_param(unsigned value) : text(std::to_string(value)) {}       // NOLINT
  pg_param(bool value) : text(value ? "t" : "f") {}               // NOLINT
  pg_param(std::nullopt_t) {}                                     // NOLINT
};

/// The rows of a statement that succeeded.
class pg_rows {
 public:
  explicit pg_rows(PGresult* result) : result_(result, &PQclear) {}
  [[nodiscard]] int size() const { return PQntuples(result_.get()); }
  [[nodiscard]] int columns() const { return PQnfields(result_.get()); }
  [[nodiscard]] bool empty() const { return size() == 0; }
  /// How many rows an INSERT, UPDATE or DELETE touched.
  [[nodiscard]] std::uint64_t affected() const;
  [[nodiscard]] bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  [[nodiscard]] std::string_view text(int row, int column) const {
    return {PQgetvalue(result_.get(), row, column), static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
  }
  [[nodiscard]] std::int64_t i64(int row, int column) const;
  [[nodiscard]] bool boolean(int row, int column) const { return text(row, column) == "t"; }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

/// A statement with its parameters, to run in a pipeline.
struct pg_statement {
  std::string sql;
  std::vector<pg_param> params;
};

/// Why a statement failed, in the terms the store's runner acts on.
enum class pg_failure {
  none,
  retry,       ///< serialization failure or deadlock: run the job again
  connection,  ///< the connection is gone (the server stopped, failed over, or the network broke)
  other,
};

class pg_connection {
 public:
  /// Connects with libpq's `conninfo` (a URI or keywords) and `password` (empty: none given
  /// here). Errors: storage_error, with the server's reason written to stderr (never the
  /// conninfo nor the password).
  [[nodiscard]] static result<std::unique_ptr<pg_connection>> open(const std::string& conninfo,
                                                                   const std::string& password);
  ~pg_connection();
  pg_connection(const pg_connection&) = delete;
  pg_connection& operator=(const pg_connection&) = delete;

  /// Runs `sql` ($1, $2... for `params`), prepared on first use. On failure the error is
  /// bad_request (data PostgreSQL cannot take: not UTF-8, \u0000 in a document), storage_full
  /// (disk full) or storage_error, and last_failure() says what kind it was.
  [[nodiscard]] result<pg_rows> exec(std::string_view sql, std::span<const pg_param> params);
  [[nodiscard]] result<pg_rows> exec(std::string_view sql, std::initializer_list<pg_param> params = {}) {
    return exec(sql, std::span<const pg_param>(params.begin(), params.size()));
  }
  /// Runs statements without parameters and without preparing them (BEGIN, COMMIT, DDL).
  [[nodiscard]] result<void> command(std::string_view sql);
  /// Sends `sql` as command() would and returns without waiting for its answer, which
  /// collect_sent() collects before the connection's next use: for the ROLLBACK that ends a read
  /// snapshot, which no request needs to wait for. False when it could not be sent.
  bool send(std::string_view sql);
  /// Waits for the answer of what send() sent, if one is due; true when nothing was due or it
  /// succeeded.
  [[nodiscard]] bool collect_sent();
  /// send() sent something whose answer collect_sent() has not collected yet.
  [[nodiscard]] bool answer_due() const { return answer_due_; }
  /// Runs `statements` in order in one round trip, each as exec runs it (one SQL command each;
  /// those without parameters are not prepared), and answers each one's outcome. After one fails,
  /// the rest do not run and answer its error; last_failure() says what kind it was.
  [[nodiscard]] std::vector<result<pg_rows>> exec_all(std::span<const pg_statement> statements);

  [[nodiscard]] pg_failure last_failure() const { return last_failure_; }
  /// Connected, and fit for another statement (not left in pipeline mode by a pipeline whose
  /// answers did not all come).
  [[nodiscard]] bool alive() const { return !stuck_ && PQstatus(conn_) == CONNECTION_OK; }
  /// In no transaction: what a pooled connection must be before another view begins on it (a
  /// BEGIN inside an open transaction is only a warning, and would read the old snapshot).
  [[nodiscard]] bool outside_transaction() const { return PQtransactionStatus(conn_) == PQTRANS_IDLE; }
  /// The server's SQLSTATE of the last failure ("" when none came).
  [[nodiscard]] const std::string& last_sqlstate() const { return last_sqlstate_; }

 private:
  explicit pg_connection(PGconn* conn) : conn_(conn) {}
  result<pg_rows> outcome(PGresult* result);
  /// The name `sql` is prepared under, if it is.
  [[nodiscard]] const std::string* prepared_name(std::string_view sql) const;

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // statement text -> its name
  bool stuck_ = false;
  bool answer_due_ = false;
  pg_failure last_failure_ = pg_failure::none;
  std::string last_sqlstate_;
};

}  // namespace licensor::store
