// Tables are created in pg_schema.cpp. Listings are keyset pages: a cursor is the ordering
// columns' values of the page's last item joined by '/' (ids hold no '/', so it is split from
// the right and the first part may hold any text).
#include "store/pg/pg_views.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include "domain/activation_key.hpp"
#include "domain/json_read.hpp"
#include "domain/json_write.hpp"
#include "domain/search_text.hpp"
#include "domain/secret_hash.hpp"
#include "store/record_codec.hpp"

namespace licensor::store {

namespace {

constexpr std::string_view operator_token_setting = "operator_token_hash";
constexpr std::string_view keyring_audited_setting = "keyring_audited_version";
constexpr std::string_view keyring_shared_setting = "keyring_shared";
constexpr std::string_view mail_settings_setting = "mail_settings";
constexpr std::string_view compliance_sweep_setting = "compliance_sweep";

result<void> nothing(const result<pg_rows>& rows) {
  if (!rows) return rows.error();
  return {};
}

// A LIMIT for `limit` items and one more (to tell whether a next page exists).
std::int64_t limit_plus_one(std::size_t limit) {
  return static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max() - 1)) + 1;
}

std::int64_t limit_of(std::size_t limit) {
  return static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
}

// Every text that starts with `prefix` is between `prefix` and this (bytewise, in valid UTF-8).
std::string prefix_ceiling(std::string_view prefix) {
  std::string out(prefix);
  for (int i = 0; i < 4; ++i) out += "\xF4\x8F\xBF\xBF";  // U+10FFFF, the highest code point
  return out;
}

std::string canonical_activation_key(const license_record& license) {
  return server::activation_key_canonical(license.activation_key).value_or(license.activation_key);
}

template <class Record>
result<Record> doc_row(const pg_rows& rows, int row) {
  return record_decode<Record>(rows.text(row, 0));
}

result<audit_entry> audit_row(const pg_rows& rows, int row) {
  audit_entry entry;
  entry.seq = static_cast<std::uint64_t>(rows.i64(row, 0));
  entry.at = rows.i64(row, 1);
  entry.actor = rows.text(row, 2);
  entry.action = rows.text(row, 3);
  entry.target = rows.text(row, 4);
  entry.details = server::json_read(rows.text(row, 5));
  if (entry.details.is_discarded()) return errc::storage_error;
  entry.request_id = rows.text(row, 6);
  return entry;
}

constexpr std::string_view outbox_columns = "seq, id, type, occurred_at, partner_id, subject, data";

outbox_event outbox_row(const pg_rows& rows, int row) {
  outbox_event event;
  event.seq = static_cast<std::uint64_t>(rows.i64(row, 0));
  event.id = rows.text(row, 1);
  event.type = rows.text(row, 2);
  event.occurred_at = rows.i64(row, 3);
  event.partner_id = rows.text(row, 4);
  event.subject = rows.text(row, 5);
  event.data = rows.text(row, 6);
  return event;
}

// `cursor` split from the right into `parts` pieces (the first takes what is left).
std::optional<std::vector<std::string>> cursor_split(std::string_view cursor, std::size_t parts) {
  std::vector<std::string> out(parts);
  for (std::size_t i = parts; i-- > 1;) {
    const auto slash = cursor.rfind('/');
    if (slash == std::string_view::npos) return std::nullopt;
    out[i] = std::string(cursor.substr(slash + 1));
    cursor = cursor.substr(0, slash);
  }
  out[0] = std::string(cursor);
  return out;
}

bool is_number(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}

}  // namespace

// -- helpers

namespace {

// libpq passes parameters as C strings: a NUL would cut one short ("lic_1\0x" would find lic_1),
// so text holding one is refused before it is sent. No stored text has one.
bool holds_nul(const std::vector<pg_param>& params) {
  return std::any_of(params.begin(), params.end(),
                     [](const pg_param& param) { return param.text && param.text->find('\0') != std::string::npos; });
}

std::string read_ahead_key(std::string_view sql, std::string_view id) {
  std::string key(sql);
  key += '\0';
  key += id;
  return key;
}

constexpr std::string_view partner_by_id = "SELECT doc FROM partners WHERE id = $1";
constexpr std::string_view product_by_id = "SELECT doc FROM products WHERE id = $1";
constexpr std::string_view customer_by_id = "SELECT doc FROM customers WHERE id = $1";
constexpr std::string_view api_key_by_secret_hash = "SELECT doc FROM api_keys WHERE secret_hash = $1";
constexpr std::string_view setting_by_name = "SELECT value FROM settings WHERE name = $1";
constexpr std::string_view license_by_id = "SELECT doc FROM licenses WHERE id = $1";
constexpr std::string_view binding_by_token_hash =
    "SELECT license_id, kid, email, withdrawn FROM token_bindings WHERE token_hash = $1";
// The license a token's binding names, read in the same round trip as the binding.
constexpr std::string_view license_by_token_hash =
    "SELECT doc FROM licenses WHERE id = (SELECT license_id FROM token_bindings WHERE token_hash = $1)";

}  // namespace

void pg_view::fail(errc error) const {
  failure_ = conn_.last_failure() == pg_failure::none ? pg_failure::other : conn_.last_failure();
  failed_ = error;
}

result<pg_rows> pg_view::run(std::string_view sql, std::initializer_list<pg_param> params) const {
  return run(sql, std::vector<pg_param>(params));
}

result<pg_rows> pg_view::run(std::string_view sql, const std::vector<pg_param>& params) const {
  if (!read_ahead_.empty()) {
    if (params.size() == 1 && params.front().text) {
      const auto key = read_ahead_key(sql, *params.front().text);
      const auto found = std::find_if(read_ahead_.begin(), read_ahead_.end(), [&](const auto& read) { return read.first == key; });
      if (found != read_ahead_.end()) {
        auto rows = std::move(found->second);
        read_ahead_.erase(found);
        return rows;
      }
    }
    read_ahead_.clear();  // this statement may be a write, after which what was read ahead may be stale
  }
  auto answers = run_all({pg_statement{std::string(sql), params}});
  return std::move(answers.front());
}

std::vector<result<pg_rows>> pg_view::run_all(std::vector<pg_statement> statements) const {
  const auto all = [&](errc error) {
    std::vector<result<pg_rows>> answers;
    answers.reserve(statements.size());
    for (std::size_t i = 0; i < statements.size(); ++i) answers.emplace_back(error);
    return answers;
  };
  if (failure_ != pg_failure::none) return all(failed_);
  if (std::any_of(statements.begin(), statements.end(), [](const auto& statement) { return holds_nul(statement.params); }))
    return all(errc::bad_request);
  if (ahead_.empty() && statements.size() == 1) {
    std::vector<result<pg_rows>> answers;
    answers.push_back(conn_.exec(statements.front().sql, statements.front().params));
    if (!answers.front()) fail(answers.front().error());
    return answers;
  }
  std::vector<pg_statement> pipeline;
  pipeline.reserve(ahead_.size() + statements.size());
  for (auto& write : ahead_) pipeline.push_back(std::move(write));
  for (auto& statement : statements) pipeline.push_back(std::move(statement));
  auto answers = conn_.exec_all(pipeline);
  const auto sent_ahead = ahead_.size();
  ahead_.clear();
  for (std::size_t i = 0; i < sent_ahead; ++i) {
    if (!answers[i]) {
      fail(answers[i].error());
      if (i < carried_) carried_failed_ = answers[i].error();
      break;
    }
  }
  carried_ = 0;
  if (failure_ != pg_failure::none) return all(failed_);
  answers.erase(answers.begin(), answers.begin() + static_cast<std::ptrdiff_t>(sent_ahead));
  for (const auto& answer : answers) {
    if (!answer) {
      fail(answer.error());
      break;
    }
  }
  return answers;
}

result<void> pg_view::send_ahead(std::string sql, std::vector<pg_param> params) {
  if (failure_ != pg_failure::none) return failed_;
  if (holds_nul(params)) return errc::bad_request;
  read_ahead_.clear();
  ahead_.push_back({std::move(sql), std::move(params)});
  return {};
}

void pg_view::settle() {
  if (!ahead_.empty()) (void)run_all({});
}

void pg_view::settle_carried() {
  if (carried_ == 0 || failure_ != pg_failure::none) return;
  std::vector<pg_statement> own(std::make_move_iterator(ahead_.begin() + static_cast<std::ptrdiff_t>(carried_)),
                                std::make_move_iterator(ahead_.end()));
  ahead_.resize(carried_);
  (void)run_all({});
  ahead_ = std::move(own);
}

void pg_view::read_ahead(const read_ahead_ids& ids) const {
  std::vector<pg_statement> reads;
  const std::string_view operator_token = ids.operator_token ? operator_token_setting : std::string_view();
  for (const auto& [sql, id] : {std::pair{partner_by_id, ids.partner}, std::pair{product_by_id, ids.product},
                                std::pair{customer_by_id, ids.customer}, std::pair{api_key_by_secret_hash, ids.api_key_hash},
                                std::pair{setting_by_name, operator_token}})
    if (!id.empty()) reads.push_back({std::string(sql), {id}});
  const auto bound_at = reads.size();
  if (!ids.token_hash.empty()) {
    reads.push_back({std::string(binding_by_token_hash), {ids.token_hash}});
    reads.push_back({std::string(license_by_token_hash), {ids.token_hash}});
  }
  if (reads.empty() || failure_ != pg_failure::none) return;
  auto answers = run_all(reads);
  read_ahead_.clear();
  if (failure_ != pg_failure::none) return;  // the reads, done again one by one, answer it
  for (std::size_t i = 0; i < bound_at; ++i)
    read_ahead_.emplace_back(read_ahead_key(reads[i].sql, *reads[i].params.front().text), std::move(answers[i]));
  if (ids.token_hash.empty() || !answers[bound_at]) return;
  // The license is kept as license_get of the id the binding names would have read it.
  const auto& binding = *answers[bound_at];
  if (!binding.empty() && answers[bound_at + 1])
    read_ahead_.emplace_back(read_ahead_key(license_by_id, binding.text(0, 0)), std::move(answers[bound_at + 1]));
  read_ahead_.emplace_back(read_ahead_key(binding_by_token_hash, ids.token_hash), std::move(answers[bound_at]));
}

template <class Record>
result<std::optional<Record>> pg_view::doc_find(std::string_view sql, std::initializer_list<pg_param> params) const {
  auto rows = run(sql, params);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Record>{};
  auto record = doc_row<Record>(*rows, 0);
  if (!record) return record.error();
  return std::optional<Record>{std::move(*record)};
}

template <class Record>
result<std::vector<Record>> pg_view::docs(std::string_view sql, std::initializer_list<pg_param> params) const {
  auto rows = run(sql, params);
  if (!rows) return rows.error();
  std::vector<Record> out;
  out.reserve(static_cast<std::size_t>(rows->size()));
  for (int row = 0; row < rows->size(); ++row) {
    auto record = doc_row<Record>(*rows, row);
    if (!record) return record.error();
    out.push_back(std::move(*record));
  }
  return out;
}

template <class Record, class Decode>
result<page<Record>> pg_view::keyset_page(const keyset& listing, std::vector<pg_param> params, const page_request& request,
                                          order direction, Decode decode) const {
  const bool ascending = direction == order::oldest_first;
  std::string sql = "SELECT " + listing.select + ", ";
  std::string names;
  for (std::size_t i = 0; i < listing.keys.size(); ++i) {
    if (i > 0) {
      sql += " || '/' || ";
      names += ", ";
    }
    sql += std::string(listing.keys[i].name) + "::text";
    names += listing.keys[i].name;
  }
  sql += " AS cursor_position FROM " + listing.from_where;
  if (!request.after.empty()) {
    const auto parts = cursor_split(request.after, listing.keys.size());
    if (!parts) return errc::bad_request;
    sql += " AND (" + names + ") " + (ascending ? "> (" : "< (");
    for (std::size_t i = 0; i < parts->size(); ++i) {
      if (listing.keys[i].number && !is_number((*parts)[i])) return errc::bad_request;
      params.emplace_back((*parts)[i]);
      sql += (i > 0 ? ", $" : "$") + std::to_string(params.size()) + (listing.keys[i].number ? "::bigint" : "");
    }
    sql += ")";
  }
  sql += " ORDER BY ";
  for (std::size_t i = 0; i < listing.keys.size(); ++i)
    sql += (i > 0 ? ", " : "") + std::string(listing.keys[i].name) + (ascending ? "" : " DESC");
  params.emplace_back(limit_plus_one(request.limit));
  sql += " LIMIT $" + std::to_string(params.size());

  auto rows = run(sql, params);
  if (!rows) return rows.error();
  page<Record> out;
  const auto shown = std::min<std::size_t>(static_cast<std::size_t>(rows->size()), request.limit);
  for (std::size_t row = 0; row < shown; ++row) {
    result<Record> item = decode(*rows, static_cast<int>(row));
    if (!item) return item.error();
    out.items.push_back(std::move(*item));
  }
  if (static_cast<std::size_t>(rows->size()) > request.limit && shown > 0)
    out.next = std::string(rows->text(static_cast<int>(shown) - 1, rows->columns() - 1));
  return out;
}

template <class Record>
result<page<Record>> pg_view::doc_page(const keyset& listing, std::vector<pg_param> params, const page_request& request,
                                       order direction) const {
  return keyset_page<Record>(listing, std::move(params), request, direction, doc_row<Record>);
}

template <class Record>
result<page<Record>> pg_view::partner_page(std::string_view table, std::string_view partner_id, const page_request& request,
                                           order direction) const {
  const std::string from(table);
  if (partner_id.empty()) return doc_page<Record>({"doc", from + " WHERE true", {{"id"}}}, {}, request, direction);
  return doc_page<Record>({"doc", from + " WHERE partner_id = $1", {{"id"}}}, {partner_id}, request, direction);
}

result<std::optional<std::string>> pg_view::text_find(std::string_view sql, std::initializer_list<pg_param> params) const {
  auto rows = run(sql, params);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<std::string>{};
  return std::optional<std::string>{std::string(rows->text(0, 0))};
}

result<std::optional<std::string>> pg_view::setting(std::string_view name) const {
  return text_find(setting_by_name, {name});
}

result<void> pg_view::setting_set(std::string_view name, std::string_view value) {
  return nothing(run("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = $2",
                     {name, value}));
}

// The sequence's row is updated in the job's transaction, in the statement that inserts the
// numbered row, so a job that rolls back gives its number back, and two writers appending at once
// are serialized on the row (the later one runs again). The number is the view's to give (from
// pg_numbering), so the insert is sent ahead; the row moves only from the number before it, and
// an insert whose number it did not move to stores a NULL seq, which the table refuses. `insert`
// is "INSERT INTO table (seq, ...) VALUES ((SELECT last FROM numbered), $1, ...)"; the number
// is the parameter after `params`.
result<std::uint64_t> pg_view::numbered_insert(std::string_view sequence, std::string_view insert,
                                               std::vector<pg_param> params) {
  if (numbering_ == nullptr) return errc::internal;  // a read view writes nothing
  auto last = numbering_->last.find(sequence);
  if (last == numbering_->last.end()) {  // every sequence at once: a job that appends to one mostly appends to both
    auto rows = run("SELECT name, last FROM sequences");
    if (!rows) return rows.error();
    for (int row = 0; row < rows->size(); ++row)
      numbering_->last.try_emplace(std::string(rows->text(row, 0)), static_cast<std::uint64_t>(rows->i64(row, 1)));
    last = numbering_->last.find(sequence);
    if (last == numbering_->last.end()) return errc::storage_error;  // no sequence row: the schema is damaged
  }
  const auto seq = last->second + 1;
  params.emplace_back(seq);
  const auto number = "$" + std::to_string(params.size());
  auto sent = send_ahead("WITH numbered AS (UPDATE sequences SET last = " + number + "::bigint WHERE name = '" +
                             std::string(sequence) + "' AND last = " + number + "::bigint - 1 RETURNING last) " +
                             std::string(insert),
                         std::move(params));
  if (!sent) return sent.error();
  last->second = seq;
  return seq;
}

// The binding of a license's current token.
result<void> pg_view::license_index(const license_record& license) {
  if (license.token.empty()) return {};
  return nothing(run("INSERT INTO token_bindings (token_hash, license_id, kid, email, withdrawn) VALUES ($1, $2, $3, $4, false) "
                     "ON CONFLICT (token_hash) DO UPDATE SET license_id = $2, kid = $3, email = $4, withdrawn = false",
                     {server::hash_hex(license.token), license.id, license.kid, license.email}));
}

// -- meta

result<std::optional<std::string>> pg_view::operator_token_hash() const { return setting(operator_token_setting); }

result<void> pg_view::operator_token_hash_set(std::string_view hash) { return setting_set(operator_token_setting, hash); }

result<std::optional<std::string>> pg_view::keyring_shared() const { return setting(keyring_shared_setting); }

result<void> pg_view::keyring_shared_set(std::string_view document) { return setting_set(keyring_shared_setting, document); }

result<std::uint64_t> pg_view::keyring_audited_version() const {
  auto value = setting(keyring_audited_setting);
  if (!value) return value.error();
  std::uint64_t version = 0;
  if (*value) std::from_chars((*value)->data(), (*value)->data() + (*value)->size(), version);
  return version;
}

result<void> pg_view::keyring_audited_version_set(std::uint64_t version) {
  return setting_set(keyring_audited_setting, std::to_string(version));
}

result<std::vector<license_tally>> pg_view::license_tallies() const {
  // Counted through licenses_by_status_kind (an index-only scan): no counter row that every
  // issuance would have to update, which would serialize them all.
  auto rows = run("SELECT status, kind, count(*) FROM licenses GROUP BY status, kind ORDER BY status, kind");
  if (!rows) return rows.error();
  std::vector<license_tally> out;
  for (int row = 0; row < rows->size(); ++row) {
    const auto status = server::license_status_parse(rows->text(row, 0));
    const auto kind = license_kind_parse(rows->text(row, 1));
    if (!status || !kind) return errc::storage_error;
    out.push_back({*status, *kind, static_cast<std::uint64_t>(rows->i64(row, 2))});
  }
  return out;
}

// -- partners and API keys

result<std::optional<partner_record>> pg_view::partner_get(std::string_view id) const {
  return doc_find<partner_record>(partner_by_id, {id});
}

result<page<partner_record>> pg_view::partners_list(const page_request& page) const {
  return doc_page<partner_record>({"doc", "partners WHERE true", {{"id"}}}, {}, page);
}

result<void> pg_view::partner_put(const partner_record& partner) {
  return nothing(run("INSERT INTO partners (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET doc = $2",
                     {partner.id, record_encode(partner)}));
}

result<std::optional<api_key_record>> pg_view::api_key_by_hash(std::string_view secret_hash) const {
  return doc_find<api_key_record>(api_key_by_secret_hash, {secret_hash});
}

result<std::optional<std::string>> pg_view::api_key_hash_of(std::string_view key_id) const {
  return text_find("SELECT secret_hash FROM api_keys WHERE id = $1 LIMIT 1", {key_id});
}

result<std::vector<api_key_record>> pg_view::api_keys_list(std::string_view partner_id) const {
  return docs<api_key_record>("SELECT doc FROM api_keys WHERE partner_id = $1 ORDER BY created_at, secret_hash", {partner_id});
}

result<void> pg_view::api_key_insert(std::string_view secret_hash, const api_key_record& key) {
  auto taken = run("SELECT 1 FROM api_keys WHERE secret_hash = $1", {secret_hash});
  if (!taken) return taken.error();
  if (!taken->empty()) return errc::conflict;
  return api_key_put(secret_hash, key);
}

result<void> pg_view::api_key_put(std::string_view secret_hash, const api_key_record& key) {
  return nothing(run("INSERT INTO api_keys (secret_hash, id, partner_id, created_at, doc) VALUES ($1, $2, $3, $4, $5) "
                     "ON CONFLICT (secret_hash) DO UPDATE SET id = $2, partner_id = $3, created_at = $4, doc = $5",
                     {secret_hash, key.id, key.partner_id, key.created_at, record_encode(key)}));
}

// -- people

result<std::optional<user_record>> pg_view::user_get(std::string_view id) const {
  return doc_find<user_record>("SELECT doc FROM users WHERE id = $1", {id});
}

result<std::vector<user_record>> pg_view::users_by_email(std::string_view email) const {
  return docs<user_record>("SELECT doc FROM users WHERE email = $1 ORDER BY id", {email});
}

result<std::vector<user_record>> pg_view::users_of(std::string_view organisation) const {
  return docs<user_record>("SELECT doc FROM users WHERE organisation = $1 ORDER BY id", {organisation});
}

result<std::optional<session_record>> pg_view::session_by_hash(std::string_view secret_hash) const {
  return doc_find<session_record>("SELECT doc FROM sessions WHERE secret_hash = $1", {secret_hash});
}

result<std::vector<std::pair<std::string, session_record>>> pg_view::sessions_of(std::string_view user_id) const {
  auto rows = run("SELECT doc, secret_hash FROM sessions WHERE user_id = $1 ORDER BY secret_hash", {user_id});
  if (!rows) return rows.error();
  std::vector<std::pair<std::string, session_record>> out;
  for (int row = 0; row < rows->size(); ++row) {
    auto session = doc_row<session_record>(*rows, row);
    if (!session) return session.error();
    out.emplace_back(std::string(rows->text(row, 1)), std::move(*session));
  }
  return out;
}

result<std::optional<user_token_record>> pg_view::user_token_get(std::string_view token_hash) const {
  return doc_find<user_token_record>("SELECT doc FROM user_tokens WHERE token_hash = $1", {token_hash});
}

result<void> pg_view::user_insert(const user_record& user) {
  auto taken = run("SELECT 1 FROM users WHERE id = $1 OR (organisation = $2 AND email = $3)",
                   {user.id, user_organisation(user), user.email});
  if (!taken) return taken.error();
  if (!taken->empty()) return errc::conflict;
  return nothing(run("INSERT INTO users (id, email, organisation, doc) VALUES ($1, $2, $3, $4)",
                     {user.id, user.email, user_organisation(user), record_encode(user)}));
}

result<void> pg_view::user_put(const user_record& user) {
  auto stored = user_get(user.id);
  if (!stored) return stored.error();
  if (!*stored) return errc::not_found;
  if ((*stored)->email != user.email || user_organisation(**stored) != user_organisation(user)) return errc::conflict;
  return nothing(run("UPDATE users SET doc = $2 WHERE id = $1", {user.id, record_encode(user)}));
}

result<void> pg_view::session_put(std::string_view secret_hash, const session_record& session) {
  return nothing(run("INSERT INTO sessions (secret_hash, user_id, doc) VALUES ($1, $2, $3) "
                     "ON CONFLICT (secret_hash) DO UPDATE SET user_id = $2, doc = $3",
                     {secret_hash, session.user_id, record_encode(session)}));
}

result<void> pg_view::session_erase(std::string_view secret_hash) {
  return nothing(run("DELETE FROM sessions WHERE secret_hash = $1", {secret_hash}));
}

result<page<std::pair<std::string, user_token_record>>> pg_view::user_tokens_list(const page_request& page) const {
  using item = std::pair<std::string, user_token_record>;
  return keyset_page<item>({"token_hash, doc", "user_tokens WHERE true", {{"token_hash"}}}, {}, page, order::oldest_first,
                           [](const pg_rows& rows, int row) -> result<item> {
                             auto token = record_decode<user_token_record>(rows.text(row, 1));
                             if (!token) return token.error();
                             return item{std::string(rows.text(row, 0)), std::move(*token)};
                           });
}

result<void> pg_view::user_token_put(std::string_view token_hash, const user_token_record& token) {
  return nothing(run("INSERT INTO user_tokens (token_hash, doc) VALUES ($1, $2) ON CONFLICT (token_hash) DO UPDATE SET doc = $2",
                     {token_hash, record_encode(token)}));
}

result<void> pg_view::user_token_erase(std::string_view token_hash) {
  return nothing(run("DELETE FROM user_tokens WHERE token_hash = $1", {token_hash}));
}

result<organisation_security_record> pg_view::organisation_security_get(std::string_view partner_id) const {
  auto found = doc_find<organisation_security_record>("SELECT doc FROM organisation_security WHERE partner_id = $1",
                                                      {partner_id});
  if (!found) return found.error();
  return found->value_or(organisation_security_record{});
}

result<void> pg_view::organisation_security_put(std::string_view partner_id, const organisation_security_record& security) {
  return nothing(run("INSERT INTO organisation_security (partner_id, doc) VALUES ($1, $2) "
                     "ON CONFLICT (partner_id) DO UPDATE SET doc = $2",
                     {partner_id, record_encode(security)}));
}

// -- customers

result<std::optional<customer_record>> pg_view::customer_get(std::string_view id) const {
  return doc_find<customer_record>(customer_by_id, {id});
}

result<std::optional<std::string>> pg_view::customer_id_by_email(std::string_view email) const {
  return text_find("SELECT id FROM customers WHERE email = $1", {email});
}

result<page<customer_record>> pg_view::customers_list(std::string_view partner_id, const page_request& page,
                                                     order direction) const {
  return partner_page<customer_record>("customers", partner_id, page, direction);
}

result<page<customer_record>> pg_view::customers_search(std::string_view partner_id, std::string_view folded_prefix,
                                                       const page_request& page) const {
  // A customer is listed once, at the first of its texts that starts with the prefix.
  const std::string scope = partner_id.empty() ? "" : " AND partner_id = $3";
  const keyset listing{"c.doc",
                       "(SELECT customer_id, min(text) AS text FROM customer_search WHERE text >= $1 AND text <= $2 "
                       "AND starts_with(text, $1)" + scope + " GROUP BY customer_id) s "
                       "JOIN customers c ON c.id = s.customer_id WHERE true",
                       {{"s.text"}, {"c.id"}}};
  std::vector<pg_param> params{folded_prefix, prefix_ceiling(folded_prefix)};
  if (!partner_id.empty()) params.emplace_back(partner_id);
  return doc_page<customer_record>(listing, std::move(params), page);
}

result<std::uint64_t> pg_view::customer_licenses_count(std::string_view customer_id) const {
  if (customer_id.empty()) return std::uint64_t{0};
  auto rows = run("SELECT count(*) FROM licenses WHERE customer_id = $1", {customer_id});
  if (!rows) return rows.error();
  return static_cast<std::uint64_t>(rows->i64(0, 0));
}

result<std::vector<license_record>> pg_view::licenses_of_customer(std::string_view customer_id) const {
  if (customer_id.empty()) return std::vector<license_record>{};
  return docs<license_record>("SELECT doc FROM licenses WHERE customer_id = $1 ORDER BY id", {customer_id});
}

// The customer's search texts (domain/search_text.hpp), each a row.
result<void> pg_view::customer_search_index(const customer_record& customer) {
  for (const auto& text : server::customer_search_texts(customer)) {
    if (auto indexed = run("INSERT INTO customer_search (customer_id, partner_id, text) VALUES ($1, $2, $3) "
                           "ON CONFLICT DO NOTHING",
                           {customer.id, customer.partner_id, text});
        !indexed)
      return indexed.error();
  }
  return {};
}

result<void> pg_view::customer_insert(const customer_record& customer) {
  auto taken = run("SELECT 1 FROM customers WHERE id = $1 OR email = $2", {customer.id, customer.email});
  if (!taken) return taken.error();
  if (!taken->empty()) return errc::conflict;
  if (auto inserted = run("INSERT INTO customers (id, partner_id, email, doc) VALUES ($1, $2, $3, $4)",
                          {customer.id, customer.partner_id, customer.email, record_encode(customer)});
      !inserted)
    return inserted.error();
  return customer_search_index(customer);
}

result<void> pg_view::customer_put(const customer_record& customer) {
  auto stored = customer_get(customer.id);
  if (!stored) return stored.error();
  if (!*stored) return errc::not_found;
  if ((*stored)->email != customer.email) return errc::conflict;
  if (auto updated = run("UPDATE customers SET partner_id = $2, doc = $3 WHERE id = $1",
                         {customer.id, customer.partner_id, record_encode(customer)});
      !updated)
    return updated.error();
  if (server::customer_search_texts(**stored) == server::customer_search_texts(customer) &&
      (*stored)->partner_id == customer.partner_id)
    return {};
  if (auto erased = run("DELETE FROM customer_search WHERE customer_id = $1", {customer.id}); !erased) return erased.error();
  return customer_search_index(customer);
}

result<void> pg_view::customer_erase(std::string_view id) {
  return nothing(run("DELETE FROM customers WHERE id = $1", {id}));  // its search texts go with it
}

// -- products

result<std::optional<product_record>> pg_view::product_get(std::string_view id) const {
  return doc_find<product_record>(product_by_id, {id});
}

result<page<product_record>> pg_view::products_list(const page_request& page) const {
  return doc_page<product_record>({"doc", "products WHERE true", {{"id"}}}, {}, page);
}

result<void> pg_view::product_insert(const product_record& product) {
  auto taken = run("SELECT 1 FROM products WHERE id = $1", {product.id});
  if (!taken) return taken.error();
  if (!taken->empty()) return errc::conflict;
  return product_put(product);
}

result<void> pg_view::product_put(const product_record& product) {
  return nothing(run("INSERT INTO products (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET doc = $2",
                     {product.id, record_encode(product)}));
}

// -- licenses

result<std::optional<license_record>> pg_view::license_get(std::string_view id) const {
  return doc_find<license_record>(license_by_id, {id});
}

result<std::optional<std::string>> pg_view::license_id_by_activation_key(std::string_view canonical) const {
  return text_find("SELECT id FROM licenses WHERE activation_key = $1", {canonical});
}

result<page<license_record>> pg_view::licenses_list(std::string_view partner_id, const page_request& page,
                                                   order direction) const {
  return partner_page<license_record>("licenses", partner_id, page, direction);
}

result<page<license_record>> pg_view::licenses_by_email(std::string_view partner_id, std::string_view folded_prefix,
                                                       const page_request& page) const {
  std::string from = "licenses WHERE email_folded <> '' AND email_folded >= $1 AND email_folded <= $2 "
                     "AND starts_with(email_folded, $1)";
  std::vector<pg_param> params{folded_prefix, prefix_ceiling(folded_prefix)};
  if (!partner_id.empty()) {
    from += " AND partner_id = $3";
    params.emplace_back(partner_id);
  }
  return doc_page<license_record>({"doc", from, {{"email_folded"}, {"id"}}}, std::move(params), page);
}

result<page<license_record>> pg_view::licenses_by_status(std::string_view partner_id, license_status status,
                                                        const page_request& page, order direction) const {
  std::string from = "licenses WHERE status = $1";
  std::vector<pg_param> params{server::license_status_name(status)};
  if (!partner_id.empty()) {
    from += " AND partner_id = $2";
    params.emplace_back(partner_id);
  }
  return doc_page<license_record>({"doc", from, {{"id"}}}, std::move(params), page, direction);
}

result<page<license_record>> pg_view::licenses_by_expires(std::string_view partner_id, const expiry_range& range,
                                                         const page_request& page, order direction) const {
  std::string from = "licenses WHERE true";
  std::vector<pg_param> params;
  const auto condition = [&](std::string_view sql, pg_param value) {
    params.push_back(std::move(value));
    from += std::string(sql) + std::to_string(params.size());
  };
  if (!partner_id.empty()) condition(" AND partner_id = $", partner_id);
  if (range.from > 0) condition(" AND expiry_order >= $", range.from);
  if (range.through > 0) condition(" AND expiry_order <= $", range.through);
  return doc_page<license_record>({"doc", from, {{"expiry_order", true}, {"id"}}}, std::move(params), page, direction);
}

result<std::vector<std::string>> pg_view::licenses_signed_by(std::string_view kid, std::size_t limit) const {
  auto rows = run("SELECT id FROM licenses WHERE kid = $1 ORDER BY id LIMIT $2", {kid, limit_of(limit)});
  if (!rows) return rows.error();
  std::vector<std::string> out;
  for (int row = 0; row < rows->size(); ++row) out.emplace_back(rows->text(row, 0));
  return out;
}

result<std::uint64_t> pg_view::licenses_signed_count(std::string_view kid) const {
  auto rows = run("SELECT count(*) FROM licenses WHERE kid = $1", {kid});
  if (!rows) return rows.error();
  return static_cast<std::uint64_t>(rows->i64(0, 0));
}

result<std::optional<token_binding>> pg_view::token_binding_get(std::string_view token_hash) const {
  auto rows = run(binding_by_token_hash, {token_hash});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<token_binding>{};
  return std::optional<token_binding>{token_binding{std::string(rows->text(0, 0)), std::string(rows->text(0, 1)),
                                                    std::string(rows->text(0, 2)), rows->boolean(0, 3)}};
}

result<void> pg_view::license_insert(const license_record& license) {
  // One statement, sent ahead, as issuance writes one on every request: the license and its
  // current token's binding. A taken id or activation key fails it (unique_violation: conflict).
  return send_ahead("WITH inserted AS (INSERT INTO licenses (id, partner_id, customer_id, activation_key, kid, "
                    "email_folded, status, kind, expires_at, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                    "RETURNING id) "
                    "INSERT INTO token_bindings (token_hash, license_id, kid, email, withdrawn) "
                    "SELECT $11::text, id, $5::text, $12::text, false FROM inserted WHERE $11::text <> '' "
                    "ON CONFLICT (token_hash) DO UPDATE SET license_id = EXCLUDED.license_id, kid = EXCLUDED.kid, "
                    "email = EXCLUDED.email, withdrawn = false",
                    {license.id, license.partner_id, license.customer_id, canonical_activation_key(license), license.kid,
                     server::text_folded(license.email), server::license_status_name(license.status),
                     license_kind_name(license.kind), license.expires_at, record_encode(license),
                     license.token.empty() ? std::string() : server::hash_hex(license.token), license.email});
}

result<void> pg_view::license_put(const license_record& license) {
  auto updated = run("UPDATE licenses SET customer_id = $2, kid = $3, email_folded = $4, status = $5, kind = $6, "
                     "expires_at = $7, doc = $8 WHERE id = $1",
                     {license.id, license.customer_id, license.kid, server::text_folded(license.email),
                      server::license_status_name(license.status), license_kind_name(license.kind), license.expires_at,
                      record_encode(license)});
  if (!updated) return updated.error();
  if (updated->affected() == 0) return errc::not_found;
  return license_index(license);
}

result<void> pg_view::license_erase(std::string_view id) {
  return nothing(run("DELETE FROM licenses WHERE id = $1", {id}));  // its tokens' bindings stay
}

result<page<std::pair<std::string, token_binding>>> pg_view::token_bindings_list(const page_request& page) const {
  using item = std::pair<std::string, token_binding>;
  return keyset_page<item>({"token_hash, license_id, kid, email, withdrawn", "token_bindings WHERE true", {{"token_hash"}}}, {},
                           page, order::oldest_first, [](const pg_rows& rows, int row) -> result<item> {
                             return item{std::string(rows.text(row, 0)),
                                         token_binding{std::string(rows.text(row, 1)), std::string(rows.text(row, 2)),
                                                       std::string(rows.text(row, 3)), rows.boolean(row, 4)}};
                           });
}

result<void> pg_view::token_binding_put(std::string_view token_hash, const token_binding& binding) {
  return nothing(run("INSERT INTO token_bindings (token_hash, license_id, kid, email, withdrawn) VALUES ($1, $2, $3, $4, $5) "
                     "ON CONFLICT (token_hash) DO UPDATE SET license_id = $2, kid = $3, email = $4, withdrawn = $5",
                     {token_hash, binding.license_id, binding.kid, binding.email, binding.withdrawn}));
}

// -- free-license slots and cap

result<std::optional<free_slot>> pg_view::free_slot_get(std::string_view customer_id, std::string_view product) const {
  auto rows = run("SELECT product, license_id, held_until FROM free_slots WHERE customer_id = $1 AND product = $2",
                  {customer_id, product});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<free_slot>{};
  return std::optional<free_slot>{free_slot{std::string(rows->text(0, 0)), std::string(rows->text(0, 1)), rows->i64(0, 2)}};
}

result<std::vector<free_slot>> pg_view::free_slots_of(std::string_view customer_id) const {
  auto rows = run("SELECT product, license_id, held_until FROM free_slots WHERE customer_id = $1 ORDER BY product",
                  {customer_id});
  if (!rows) return rows.error();
  std::vector<free_slot> out;
  for (int row = 0; row < rows->size(); ++row)
    out.push_back({std::string(rows->text(row, 0)), std::string(rows->text(row, 1)), rows->i64(row, 2)});
  return out;
}

result<void> pg_view::free_slot_put(std::string_view customer_id, const free_slot& slot) {
  return nothing(run("INSERT INTO free_slots (customer_id, product, license_id, held_until) VALUES ($1, $2, $3, $4) "
                     "ON CONFLICT (customer_id, product) DO UPDATE SET license_id = $3, held_until = $4",
                     {customer_id, slot.product, slot.license_id, slot.held_until}));
}

result<void> pg_view::free_slot_erase(std::string_view customer_id, std::string_view product) {
  return nothing(run("DELETE FROM free_slots WHERE customer_id = $1 AND product = $2", {customer_id, product}));
}

result<std::uint32_t> pg_view::free_cap_count(std::string_view partner_id) const {
  auto rows = run("SELECT count FROM free_caps WHERE partner_id = $1", {partner_id});
  if (!rows) return rows.error();
  return rows->empty() ? std::uint32_t{0} : static_cast<std::uint32_t>(rows->i64(0, 0));
}

result<void> pg_view::free_cap_count_add(std::string_view partner_id, std::int64_t delta) {
  auto count = free_cap_count(partner_id);
  if (!count) return count.error();
  const auto next = static_cast<std::int64_t>(*count) + delta;
  if (next < 0) return errc::internal;
  return nothing(run("INSERT INTO free_caps (partner_id, count) VALUES ($1, $2) ON CONFLICT (partner_id) DO UPDATE SET count = $2",
                     {partner_id, next}));
}

result<std::vector<free_cap_hold>> pg_view::free_cap_holds_before(std::string_view partner_id, std::int64_t before,
                                                                   std::size_t limit) const {
  auto rows = run("SELECT until, license_id FROM free_cap_holds WHERE partner_id = $1 AND until < $2 "
                  "ORDER BY until, license_id LIMIT $3",
                  {partner_id, before, limit_of(limit)});
  if (!rows) return rows.error();
  std::vector<free_cap_hold> out;
  for (int row = 0; row < rows->size(); ++row) out.push_back({rows->i64(row, 0), std::string(rows->text(row, 1))});
  return out;
}

result<void> pg_view::free_cap_hold_put(std::string_view partner_id, const free_cap_hold& hold) {
  return nothing(run("INSERT INTO free_cap_holds (partner_id, until, license_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                     {partner_id, hold.until, hold.license_id}));
}

result<void> pg_view::free_cap_hold_erase(std::string_view partner_id, const free_cap_hold& hold) {
  return nothing(run("DELETE FROM free_cap_holds WHERE partner_id = $1 AND until = $2 AND license_id = $3",
                     {partner_id, hold.until, hold.license_id}));
}

// -- subscriptions, members, ledger, schedule

result<std::optional<subscription_record>> pg_view::subscription_get(std::string_view license_id) const {
  return doc_find<subscription_record>("SELECT doc FROM subscriptions WHERE license_id = $1", {license_id});
}

result<void> pg_view::subscription_put(subscription_record& sub, std::int64_t due) {
  if (due != sub.schedule_due) {
    if (sub.schedule_due != 0) {
      if (auto erased = schedule_erase({sub.schedule_due, sub.license_id}); !erased) return erased;
    }
    if (due != 0) {
      if (auto put = run("INSERT INTO schedule (due, license_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                         {due, sub.license_id});
          !put)
        return put.error();
    }
    sub.schedule_due = due;
  }
  return nothing(run("INSERT INTO subscriptions (license_id, doc) VALUES ($1, $2) ON CONFLICT (license_id) DO UPDATE SET doc = $2",
                     {sub.license_id, record_encode(sub)}));
}

result<void> pg_view::subscription_erase(std::string_view license_id) {
  auto stored = subscription_get(license_id);
  if (!stored) return stored.error();
  if (!*stored) return {};
  if ((*stored)->schedule_due != 0) {
    if (auto erased = schedule_erase({(*stored)->schedule_due, std::string(license_id)}); !erased) return erased;
  }
  return nothing(run("DELETE FROM subscriptions WHERE license_id = $1", {license_id}));
}

result<std::vector<schedule_entry>> pg_view::schedule_due(std::int64_t now, std::size_t limit) const {
  auto rows = run("SELECT due, license_id FROM schedule WHERE due <= $1 ORDER BY due, license_id LIMIT $2",
                  {now, limit_of(limit)});
  if (!rows) return rows.error();
  std::vector<schedule_entry> out;
  for (int row = 0; row < rows->size(); ++row) out.push_back({rows->i64(row, 0), std::string(rows->text(row, 1))});
  return out;
}

result<void> pg_view::schedule_erase(const schedule_entry& entry) {
  return nothing(run("DELETE FROM schedule WHERE due = $1 AND license_id = $2", {entry.due, entry.license_id}));
}

result<std::optional<member_record>> pg_view::member_get(std::string_view license_id, std::string_view email) const {
  return doc_find<member_record>("SELECT doc FROM members WHERE license_id = $1 AND email = $2", {license_id, email});
}

result<std::vector<member_record>> pg_view::members_of(std::string_view license_id) const {
  return docs<member_record>("SELECT doc FROM members WHERE license_id = $1 ORDER BY email", {license_id});
}

result<std::uint32_t> pg_view::members_count(std::string_view license_id) const {
  auto rows = run("SELECT count(*) FROM members WHERE license_id = $1", {license_id});
  if (!rows) return rows.error();
  return static_cast<std::uint32_t>(rows->i64(0, 0));
}

result<void> pg_view::member_insert(std::string_view license_id, const member_record& member) {
  auto stored = member_get(license_id, member.email);
  if (!stored) return stored.error();
  if (*stored) return errc::conflict;
  return member_put(license_id, member);
}

result<void> pg_view::member_put(std::string_view license_id, const member_record& member) {
  return nothing(run("INSERT INTO members (license_id, email, doc) VALUES ($1, $2, $3) "
                     "ON CONFLICT (license_id, email) DO UPDATE SET doc = $3",
                     {license_id, member.email, record_encode(member)}));
}

result<void> pg_view::member_erase(std::string_view license_id, std::string_view email) {
  return nothing(run("DELETE FROM members WHERE license_id = $1 AND email = $2", {license_id, email}));
}

result<page<ledger_entry>> pg_view::ledger_of(std::string_view license_id, const page_request& page) const {
  return doc_page<ledger_entry>({"doc", "ledger WHERE license_id = $1", {{"seq", true}}}, {license_id}, page);
}

result<page<ledger_entry>> pg_view::partner_ledger(std::string_view partner_id, const ledger_period& period,
                                                   const page_request& page) const {
  std::string from = "ledger WHERE partner_id = $1";
  std::vector<pg_param> params{partner_id};
  if (period.from > 0) {
    params.emplace_back(period.from);
    from += " AND at >= $" + std::to_string(params.size());
  }
  if (period.to > 0) {
    params.emplace_back(period.to);
    from += " AND at < $" + std::to_string(params.size());
  }
  return doc_page<ledger_entry>({"doc", from, {{"at", true}, {"license_id"}, {"seq", true}}}, std::move(params), page);
}

result<std::uint64_t> pg_view::ledger_append(ledger_entry& entry) {
  auto last = run("SELECT coalesce(max(seq), 0) FROM ledger WHERE license_id = $1", {entry.license_id});
  if (!last) return last.error();
  entry.seq = static_cast<std::uint64_t>(last->i64(0, 0)) + 1;
  if (auto inserted = run("INSERT INTO ledger (license_id, seq, partner_id, at, doc) VALUES ($1, $2, $3, $4, $5)",
                          {entry.license_id, entry.seq, entry.partner_id, entry.at, record_encode(entry)});
      !inserted)
    return inserted.error();
  return entry.seq;
}

// -- re-signing after a revocation

result<std::vector<resign_task>> pg_view::resign_tasks() const {
  return docs<resign_task>("SELECT doc FROM resign_tasks ORDER BY started_at, kid", {});
}

result<void> pg_view::resign_task_put(const resign_task& task) {
  return nothing(run("INSERT INTO resign_tasks (kid, started_at, doc) VALUES ($1, $2, $3) "
                     "ON CONFLICT (kid) DO UPDATE SET started_at = $2, doc = $3",
                     {task.kid, task.started_at, record_encode(task)}));
}

result<void> pg_view::resign_task_erase(std::string_view kid) {
  return nothing(run("DELETE FROM resign_tasks WHERE kid = $1", {kid}));
}

// -- audit, outbox and idempotency

result<page<audit_entry>> pg_view::audit_list(const page_request& page, order direction) const {
  return keyset_page<audit_entry>({"seq, at, actor, action, target, details::text, request_id", "audit WHERE true",
                                   {{"seq", true}}},
                                  {}, page, direction, audit_row);
}

result<std::uint64_t> pg_view::audit_append(audit_entry& entry) {
  auto seq = numbered_insert("audit",
                             "INSERT INTO audit (seq, at, actor, action, target, details, request_id) "
                             "VALUES ((SELECT last FROM numbered), $1, $2, $3, $4, $5, $6)",
                             {entry.at, entry.actor, entry.action, entry.target, server::json_write(entry.details), entry.request_id});
  if (!seq) return seq;
  entry.seq = *seq;
  return entry.seq;
}

result<std::uint64_t> pg_view::outbox_append(outbox_event& event) {
  auto seq = numbered_insert("outbox",
                             "INSERT INTO outbox (seq, id, type, occurred_at, partner_id, subject, data) "
                             "VALUES ((SELECT last FROM numbered), $1, $2, $3, $4, $5, $6)",
                             {event.id, event.type, event.occurred_at, event.partner_id, event.subject, event.data});
  if (!seq) return seq;
  event.seq = *seq;
  return event.seq;
}

result<void> pg_view::outbox_restore(const outbox_event& event) {
  // The sequence moves up to the event, so that appends continue after it.
  auto moved = run("UPDATE sequences SET last = $2 WHERE name = $1 AND last < $2 RETURNING last",
                   {std::string_view("outbox"), event.seq});
  if (!moved) return moved.error();
  if (moved->empty()) return errc::conflict;
  if (numbering_ != nullptr) numbering_->last.erase("outbox");  // appends continue from the row
  return nothing(run("INSERT INTO outbox (seq, id, type, occurred_at, partner_id, subject, data) "
                     "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                     {event.seq, event.id, event.type, event.occurred_at, event.partner_id, event.subject, event.data}));
}

result<std::vector<outbox_event>> pg_view::outbox_after(std::uint64_t after_seq, std::size_t limit) const {
  auto rows = run("SELECT " + std::string(outbox_columns) + " FROM outbox WHERE seq > $1 ORDER BY seq LIMIT $2",
                  {after_seq, limit_of(limit)});
  if (!rows) return rows.error();
  std::vector<outbox_event> out;
  for (int row = 0; row < rows->size(); ++row) out.push_back(outbox_row(*rows, row));
  return out;
}

result<std::uint64_t> pg_view::outbox_last_seq() const {
  auto rows = run("SELECT last FROM sequences WHERE name = 'outbox'");
  if (!rows) return rows.error();
  if (rows->empty()) return errc::storage_error;
  return static_cast<std::uint64_t>(rows->i64(0, 0));
}

result<std::vector<outbox_event>> pg_view::partner_events_recent(std::string_view partner_id, std::size_t limit) const {
  if (partner_id.empty()) return std::vector<outbox_event>{};
  auto rows = run("SELECT " + std::string(outbox_columns) + " FROM outbox WHERE partner_id = $1 ORDER BY seq DESC LIMIT $2",
                  {partner_id, limit_of(limit)});
  if (!rows) return rows.error();
  std::vector<outbox_event> out;
  for (int row = 0; row < rows->size(); ++row) out.push_back(outbox_row(*rows, row));
  return out;
}

result<std::optional<outbox_event>> pg_view::outbox_event_by_id(std::string_view event_id) const {
  auto rows = run("SELECT " + std::string(outbox_columns) + " FROM outbox WHERE id = $1", {event_id});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<outbox_event>{};
  return std::optional<outbox_event>{outbox_row(*rows, 0)};
}

result<std::size_t> pg_view::outbox_prune(std::uint64_t through_seq, std::int64_t before, std::size_t limit) {
  // The oldest events while each is old enough, never the newest: a run from the start.
  auto rows = run("SELECT seq, occurred_at, seq = (SELECT max(seq) FROM outbox) FROM outbox ORDER BY seq LIMIT $1",
                  {limit_of(limit)});
  if (!rows) return rows.error();
  std::size_t count = 0;
  std::int64_t last = 0;
  for (int row = 0; row < rows->size(); ++row) {
    const auto seq = rows->i64(row, 0);
    if (static_cast<std::uint64_t>(seq) > through_seq || rows->boolean(row, 2) || rows->i64(row, 1) >= before) break;
    last = seq;
    ++count;
  }
  if (count == 0) return count;
  if (auto erased = run("DELETE FROM outbox WHERE seq <= $1", {last}); !erased) return erased.error();
  return count;
}

result<std::optional<idempotency_record>> pg_view::idempotency_get(std::string_view scope) const {
  auto rows = run("SELECT request_hash, status, body, at FROM idempotency WHERE scope = $1", {scope});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<idempotency_record>{};
  return std::optional<idempotency_record>{idempotency_record{std::string(rows->text(0, 0)),
                                                              static_cast<unsigned>(rows->i64(0, 1)),
                                                              std::string(rows->text(0, 2)), rows->i64(0, 3)}};
}

result<page<std::pair<std::string, idempotency_record>>> pg_view::idempotency_list(const page_request& page) const {
  using item = std::pair<std::string, idempotency_record>;
  return keyset_page<item>({"scope, request_hash, status, body, at", "idempotency WHERE true", {{"scope"}}}, {}, page,
                           order::oldest_first, [](const pg_rows& rows, int row) -> result<item> {
                             return item{std::string(rows.text(row, 0)),
                                         idempotency_record{std::string(rows.text(row, 1)),
                                                            static_cast<unsigned>(rows.i64(row, 2)),
                                                            std::string(rows.text(row, 3)), rows.i64(row, 4)}};
                           });
}

result<void> pg_view::idempotency_put(std::string_view scope, const idempotency_record& record) {
  if (!nlohmann::json::accept(record.body)) return errc::internal;
  return nothing(run("INSERT INTO idempotency (scope, request_hash, status, body, at) VALUES ($1, $2, $3, $4, $5) "
                     "ON CONFLICT (scope) DO UPDATE SET request_hash = $2, status = $3, body = $4, at = $5",
                     {scope, record.request_hash, record.status, record.body, record.at}));
}

result<void> pg_view::idempotency_prune(std::int64_t before, std::size_t limit) {
  return nothing(run("DELETE FROM idempotency WHERE scope IN "
                     "(SELECT scope FROM idempotency WHERE at < $1 ORDER BY at, scope LIMIT $2)",
                     {before, limit_of(limit)}));
}

// -- sweeps, campaigns, imports

result<std::vector<expiry_entry>> pg_view::licenses_by_expiry(std::string_view after, std::int64_t through,
                                                              std::size_t limit) const {
  // The position is "<expires_at>/<id>" of the last license taken.
  std::string sql = "SELECT expiry_order, id FROM licenses WHERE expires_at <> 0 AND expiry_order <= $1";
  std::vector<pg_param> params{std::max<std::int64_t>(through, 0), limit_of(limit)};
  if (!after.empty()) {
    const auto parts = cursor_split(after, 2);
    if (!parts || !is_number((*parts)[0])) return errc::bad_request;
    sql += " AND (expiry_order, id) > ($3::bigint, $4)";
    params.emplace_back((*parts)[0]);
    params.emplace_back((*parts)[1]);
  }
  sql += " ORDER BY expiry_order, id LIMIT $2";
  auto rows = run(sql, params);
  if (!rows) return rows.error();
  std::vector<expiry_entry> out;
  for (int row = 0; row < rows->size(); ++row) {
    std::string id(rows->text(row, 1));
    out.push_back({rows->i64(row, 0), id, std::string(rows->text(row, 0)) + "/" + id});
  }
  return out;
}

result<std::string> pg_view::sweep_position(std::string_view name) const {
  auto rows = run("SELECT position FROM sweep_positions WHERE name = $1", {name});
  if (!rows) return rows.error();
  return rows->empty() ? std::string() : std::string(rows->text(0, 0));
}

result<std::vector<std::pair<std::string, std::string>>> pg_view::sweep_positions() const {
  auto rows = run("SELECT name, position FROM sweep_positions ORDER BY name");
  if (!rows) return rows.error();
  std::vector<std::pair<std::string, std::string>> out;
  for (int row = 0; row < rows->size(); ++row) out.emplace_back(rows->text(row, 0), rows->text(row, 1));
  return out;
}

result<void> pg_view::sweep_position_set(std::string_view name, std::string_view position) {
  return nothing(run("INSERT INTO sweep_positions (name, position) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET position = $2",
                     {name, position}));
}

result<compliance_sweep_record> pg_view::compliance_sweep_get() const {
  auto value = setting(compliance_sweep_setting);
  if (!value) return value.error();
  if (!*value) return compliance_sweep_record{};
  return record_decode<compliance_sweep_record>(**value);
}

result<void> pg_view::compliance_sweep_put(const compliance_sweep_record& sweep) {
  return setting_set(compliance_sweep_setting, record_encode(sweep));
}

result<std::optional<campaign_record>> pg_view::campaign_get(std::string_view id) const {
  return doc_find<campaign_record>("SELECT doc FROM campaigns WHERE id = $1", {id});
}

result<std::vector<campaign_record>> pg_view::campaigns_list() const {
  return docs<campaign_record>("SELECT doc FROM campaigns ORDER BY id", {});
}

result<void> pg_view::campaign_put(const campaign_record& campaign) {
  return nothing(run("INSERT INTO campaigns (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET doc = $2",
                     {campaign.id, record_encode(campaign)}));
}

result<std::optional<std::string>> pg_view::import_reference(std::string_view partner_id, std::string_view external_id) const {
  auto rows = run("SELECT license_id FROM import_references WHERE partner_id = $1 AND external_id = $2",
                  {partner_id, external_id});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<std::string>{};
  return std::optional<std::string>{std::string(rows->text(0, 0))};
}

result<page<import_reference_entry>> pg_view::import_references_list(const page_request& page) const {
  // One key, partner and external id joined: an external id may hold '/', a partner id never does.
  return keyset_page<import_reference_entry>(
      {"partner_id, external_id, license_id", "import_references WHERE true", {{"(partner_id || '/' || external_id)"}}}, {},
      page, order::oldest_first, [](const pg_rows& rows, int row) -> result<import_reference_entry> {
        return import_reference_entry{std::string(rows.text(row, 0)), std::string(rows.text(row, 1)),
                                      std::string(rows.text(row, 2))};
      });
}

result<void> pg_view::import_reference_put(std::string_view partner_id, std::string_view external_id,
                                           std::string_view license_id) {
  return nothing(run("INSERT INTO import_references (partner_id, external_id, license_id) VALUES ($1, $2, $3) "
                     "ON CONFLICT (partner_id, external_id) DO UPDATE SET license_id = $3",
                     {partner_id, external_id, license_id}));
}

// -- webhooks

result<std::optional<webhook_endpoint_record>> pg_view::webhook_endpoint_get(std::string_view id) const {
  return doc_find<webhook_endpoint_record>("SELECT doc FROM webhook_endpoints WHERE id = $1", {id});
}

result<std::vector<webhook_endpoint_record>> pg_view::webhook_endpoints() const {
  return docs<webhook_endpoint_record>("SELECT doc FROM webhook_endpoints ORDER BY id", {});
}

result<std::vector<delivery_pending>> pg_view::deliveries_pending(std::string_view endpoint_id, std::size_t limit) const {
  auto rows = run("SELECT doc FROM deliveries WHERE endpoint_id = $1 ORDER BY seq LIMIT $2", {endpoint_id, limit_of(limit)});
  if (!rows) return rows.error();
  std::vector<delivery_pending> out;
  for (int row = 0; row < rows->size(); ++row) {
    auto pending = doc_row<delivery_pending>(*rows, row);
    if (!pending) return pending.error();
    out.push_back(std::move(*pending));
  }
  return out;
}

result<std::optional<std::uint64_t>> pg_view::delivery_subject_head(std::string_view endpoint_id,
                                                                   std::string_view subject) const {
  auto rows = run("SELECT min(seq) FROM deliveries WHERE endpoint_id = $1 AND subject = $2", {endpoint_id, subject});
  if (!rows) return rows.error();
  if (rows->is_null(0, 0)) return std::optional<std::uint64_t>{};
  return std::optional<std::uint64_t>{static_cast<std::uint64_t>(rows->i64(0, 0))};
}

result<page<delivery_attempt>> pg_view::delivery_log(std::string_view endpoint_id, const page_request& page) const {
  return doc_page<delivery_attempt>({"doc", "delivery_log WHERE endpoint_id = $1",
                                     {{"at", true}, {"event_seq", true}, {"attempt", true}}},
                                    {endpoint_id}, page, order::newest_first);
}

result<void> pg_view::webhook_endpoint_put(const webhook_endpoint_record& endpoint) {
  return nothing(run("INSERT INTO webhook_endpoints (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET doc = $2",
                     {endpoint.id, record_encode(endpoint)}));
}

result<void> pg_view::webhook_endpoint_erase(std::string_view id) {
  for (const auto* sql : {"DELETE FROM deliveries WHERE endpoint_id = $1", "DELETE FROM delivery_log WHERE endpoint_id = $1",
                          "DELETE FROM webhook_endpoints WHERE id = $1"})
    if (auto erased = run(sql, {id}); !erased) return erased.error();
  return {};
}

result<void> pg_view::delivery_pending_put(const delivery_pending& pending) {
  return nothing(run("INSERT INTO deliveries (endpoint_id, seq, subject, doc) VALUES ($1, $2, $3, $4) "
                     "ON CONFLICT (endpoint_id, seq) DO UPDATE SET subject = $3, doc = $4",
                     {pending.endpoint_id, pending.seq, pending.subject, record_encode(pending)}));
}

result<void> pg_view::delivery_pending_erase(const delivery_pending& pending) {
  return nothing(run("DELETE FROM deliveries WHERE endpoint_id = $1 AND seq = $2", {pending.endpoint_id, pending.seq}));
}

result<void> pg_view::delivery_log_append(const delivery_attempt& attempt) {
  return nothing(run("INSERT INTO delivery_log (endpoint_id, at, event_seq, attempt, doc) VALUES ($1, $2, $3, $4, $5) "
                     "ON CONFLICT (endpoint_id, at, event_seq, attempt) DO UPDATE SET doc = $5",
                     {attempt.endpoint_id, attempt.at, attempt.event_seq, attempt.attempt, record_encode(attempt)}));
}

result<std::size_t> pg_view::delivery_log_prune(std::int64_t before, std::size_t limit) {
  auto erased = run("DELETE FROM delivery_log WHERE ctid IN (SELECT ctid FROM delivery_log WHERE at < $1 ORDER BY at LIMIT $2)",
                    {before, limit_of(limit)});
  if (!erased) return erased.error();
  return static_cast<std::size_t>(erased->affected());
}

// -- mail

result<mail_settings_record> pg_view::mail_settings_get() const {
  auto value = setting(mail_settings_setting);
  if (!value) return value.error();
  if (!*value) return mail_settings_record{};
  return record_decode<mail_settings_record>(**value);
}

result<void> pg_view::mail_settings_put(const mail_settings_record& settings) {
  return setting_set(mail_settings_setting, record_encode(settings));
}

result<std::optional<mail_template_record>> pg_view::mail_template_get(std::string_view name, std::string_view language) const {
  return doc_find<mail_template_record>("SELECT doc FROM mail_templates WHERE name = $1 AND language = $2", {name, language});
}

result<std::vector<mail_template_record>> pg_view::mail_templates() const {
  return docs<mail_template_record>("SELECT doc FROM mail_templates ORDER BY name, language", {});
}

result<void> pg_view::mail_template_put(const mail_template_record& replaced) {
  return nothing(run("INSERT INTO mail_templates (name, language, doc) VALUES ($1, $2, $3) "
                     "ON CONFLICT (name, language) DO UPDATE SET doc = $3",
                     {replaced.name, replaced.language, record_encode(replaced)}));
}

result<void> pg_view::mail_template_erase(std::string_view name, std::string_view language) {
  return nothing(run("DELETE FROM mail_templates WHERE name = $1 AND language = $2", {name, language}));
}

}  // namespace licensor::store
