// Key layouts (the sub-databases are listed in schema.hpp):
//   licenses/id, partner_licenses/partner/license, customer_licenses/customer/license,
//   license_expiry/expires_at/license (licenses that expire), meta/"sweep/name" -> a position in it,
//   activation_keys/canonical -> license, token_hashes/hash -> "license kid email", kid_licenses/kid/license,
//   customers/id, customer_emails/email -> customer, partner_customers/partner/customer,
//   customer_search/partner/folded text/customer and license_emails/partner/folded email/license
//   license_statuses/partner/status/license (each entry also under the empty partner: everyone's),
//   free_licenses/customer/product -> license or "~until/license", free_cap_holds/partner/until/license,
//   counters/"free/partner", audit/seq, ledger/license/seq, partner_ledger/partner/at/license/seq,
//   members/license/email, schedule/due/license, idempotency/scope, idempotency_expiry/at/scope,
//   outbox/seq, outbox_ids/event id -> seq, webhook_endpoints/id, deliveries/endpoint/seq,
//   delivery_subjects/endpoint/subject/seq, delivery_log/endpoint/(max - at)/(max - event seq)/
//   (max - attempt) (newest first; the oldest last, where pruning takes them),
//   meta/"security/partner" (empty partner: the operators), meta/"mail_settings",
//   meta/"mail_template/name/language".
// Numbers in keys are ordered_key.hpp's 16 hex digits, so prefix scans walk them in order.
// A listing's cursor is the key suffix of its last item (any string is a valid position).
#include "store/lmdb/lmdb_views.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "domain/activation_key.hpp"
#include "domain/json_read.hpp"
#include "domain/json_write.hpp"
#include "domain/search_text.hpp"
#include "domain/secret_hash.hpp"
#include "licensor/rfc3339.hpp"
#include "store/lmdb/ordered_key.hpp"
#include "store/record_codec.hpp"
#include "store/lmdb/schema.hpp"

namespace licensor::store {

namespace {

constexpr std::string_view operator_token_key = "operator_token_hash";
constexpr std::string_view keyring_audited_key = "keyring_audited_version";
constexpr std::string_view keyring_shared_key = "keyring_shared";
constexpr std::string_view withdrawn_marker = "removed:";
constexpr char hold_marker = '~';
constexpr std::string_view resign_prefix = "resign/";

std::string join(std::string_view a, std::string_view b) {
  std::string out(a);
  out += '/';
  out += b;
  return out;
}

std::string api_key_meta_key(std::string_view key_id) { return join("api_key", key_id); }
// One small record per organisation, in meta: read on every request made with a session.
std::string security_meta_key(std::string_view partner_id) { return join("security", partner_id); }
// The compliance sweep's record sits where its JSON position was kept before it was a record.
constexpr std::string_view compliance_sweep_key = "sweep/compliance";
constexpr std::string_view campaign_prefix = "campaign/";
constexpr std::string_view sweep_prefix = "sweep/";
constexpr std::string_view import_prefix = "import/";
std::string campaign_key(std::string_view id) { return std::string(campaign_prefix) + std::string(id); }
constexpr std::string_view mail_settings_key = "mail_settings";
constexpr std::string_view mail_template_prefix = "mail_template/";
std::string mail_template_key(std::string_view name, std::string_view language) {
  return join(std::string(mail_template_prefix) + std::string(name), language);
}
std::string free_counter_key(std::string_view partner_id) { return join("free", partner_id); }
std::string schedule_key(std::int64_t due, std::string_view license_id) { return join(hex16_time(due), license_id); }
std::string delivery_key(const delivery_pending& pending) { return join(pending.endpoint_id, hex16(pending.seq)); }
std::string delivery_subject_key(const delivery_pending& pending) {
  return join(join(pending.endpoint_id, pending.subject), hex16(pending.seq));
}
// The log lists newest first: its keys count time, then events, then attempts down.
std::string delivery_log_key(const delivery_attempt& attempt) {
  const auto down = [](std::uint64_t n) { return hex16(UINT64_MAX - n); };
  return join(join(join(attempt.endpoint_id, down(static_cast<std::uint64_t>(attempt.at))), down(attempt.event_seq)),
              down(attempt.attempt));
}
std::int64_t delivery_log_key_time(std::string_view key_after_endpoint) {
  return static_cast<std::int64_t>(UINT64_MAX - hex16_parse(key_after_endpoint).value_or(UINT64_MAX));
}
std::string cap_hold_key(std::string_view partner_id, const free_cap_hold& hold) {
  return join(join(partner_id, hex16_time(hold.until)), hold.license_id);
}

template <class Record>
result<std::optional<Record>> record_find(const txn& t, const char* db, std::string_view key) {
  auto value = t.get_view(db, key);  // decoded before the transaction can move on
  if (!value) return value.error();
  if (!*value) return std::optional<Record>{};
  auto decoded = record_decode<Record>(**value);
  if (!decoded) return decoded.error();
  return std::optional<Record>{std::move(*decoded)};
}

// A listing's item: the record stored as the value.
template <class Record>
result<std::optional<Record>> record_item(std::string_view, std::string_view value) {
  auto decoded = record_decode<Record>(value);
  if (!decoded) return decoded.error();
  return std::optional<Record>{std::move(*decoded)};
}

template <class Record>
result<void> record_put(txn& t, const char* db, std::string_view key, const Record& record) {
  return t.put(db, key, record_encode(record));
}

result<std::uint64_t> number_get(const txn& t, const char* db, std::string_view key) {
  auto value = t.get_view(db, key);
  if (!value) return value.error();
  std::uint64_t number = 0;
  if (*value) std::from_chars((*value)->data(), (*value)->data() + (*value)->size(), number);
  return number;
}

// One more (or fewer) license of `license`'s status and kind.
result<void> license_tally_add(txn& t, const license_record& license, std::int64_t delta) {
  const auto key = license_tally_key(server::license_status_name(license.status), license_kind_name(license.kind));
  auto count = number_get(t, db::counters, key);
  if (!count) return count.error();
  const auto next = static_cast<std::int64_t>(*count) + delta;
  if (next < 0) return errc::storage_error;  // a tally below zero: the counters are damaged
  return t.put(db::counters, key, std::to_string(next));
}

result<void> keys_put(txn& t, const char* db, const std::vector<std::string>& keys) {
  for (const auto& key : keys)
    if (auto put = t.put(db, key, ""); !put) return put;
  return {};
}

result<void> keys_erase(txn& t, const char* db, const std::vector<std::string>& keys) {
  for (const auto& key : keys)
    if (auto erased = t.erase(db, key); !erased) return erased;
  return {};
}

// Replaces `before`'s keys in `db` by `after`'s when they differ.
result<void> keys_replace(txn& t, const char* db, const std::vector<std::string>& before, const std::vector<std::string>& after) {
  if (before == after) return {};
  if (auto erased = keys_erase(t, db, before); !erased) return erased;
  return keys_put(t, db, after);
}

// One page of `db` under `prefix`, ending at `end` (if not empty): before the first key suffix
// >= `end` walking up (oldest first), before the first one <= `end` walking down (newest first).
// `item(suffix, value)` makes the listed item (nullopt skips it).
template <class Item, class Make>
result<page<Item>> page_scan(const txn& t, const char* db, const std::string& prefix, const page_request& request,
                             Make item, std::string_view end = {}, order direction = order::oldest_first) {
  page<Item> out;
  errc failure{};
  bool failed = false;
  std::string last;
  const std::string after = request.after.empty() ? std::string() : prefix + request.after;
  // Entries whose item is skipped do not count: the scan goes on until the page is full.
  const auto visit = [&](std::string_view key, std::string_view value) {
    if (!end.empty() && (direction == order::oldest_first ? key.substr(prefix.size()) >= end : key.substr(prefix.size()) <= end))
      return false;
    if (out.items.size() == request.limit) {
      out.next = last;
      return false;
    }
    last = std::string(key.substr(prefix.size()));
    result<std::optional<Item>> made = item(std::string_view(last), value);
    if (!made) {
      failure = made.error();
      failed = true;
      return false;
    }
    if (*made) out.items.push_back(std::move(**made));
    return true;
  };
  auto scanned = direction == order::oldest_first ? t.scan(db, prefix, after, SIZE_MAX, visit)
                                                  : t.scan_back(db, prefix, after, SIZE_MAX, visit);
  if (!scanned) return scanned.error();
  if (failed) return failure;
  return out;
}

// A listing of records kept under their id in `records`, through an index "<owner>/<id>" when
// `owner` is given; in id order, `direction` first.
template <class Record>
result<page<Record>> records_list(const txn& t, const char* records, const char* index, std::string_view owner,
                                  const page_request& request, order direction = order::oldest_first) {
  if (owner.empty()) {
    return page_scan<Record>(t, records, "", request, record_item<Record>, {}, direction);
  }
  return page_scan<Record>(t, index, join(owner, ""), request, [&](std::string_view id, std::string_view) {
    return record_find<Record>(t, records, id);
  }, {}, direction);
}

// How many keys of `db` start with `prefix`: the entries of an index, not decoded.
result<std::uint64_t> count_under(const txn& t, const char* db, const std::string& prefix) {
  std::uint64_t count = 0;
  auto scanned = t.scan(db, prefix, "", SIZE_MAX, [&count](std::string_view, std::string_view) {
    ++count;
    return true;
  });
  if (!scanned) return scanned.error();
  return count;
}

std::string token_binding_encode(const token_binding& binding) {
  // Plain text, not JSON: validate reads it on every call. Ids, kids and normalised emails
  // never contain spaces.
  std::string out(binding.withdrawn ? withdrawn_marker : "");
  out += binding.license_id;
  out += ' ';
  out += binding.kid;
  out += ' ';
  out += binding.email;
  return out;
}

token_binding token_binding_decode(std::string_view text) {
  token_binding out;
  if (text.starts_with(withdrawn_marker)) {
    out.withdrawn = true;
    text.remove_prefix(withdrawn_marker.size());
  }
  const auto first = text.find(' ');
  out.license_id = std::string(text.substr(0, first));
  if (first == std::string_view::npos) return out;
  const auto second = text.find(' ', first + 1);
  out.kid = std::string(text.substr(first + 1, second - first - 1));
  if (second != std::string_view::npos) out.email = std::string(text.substr(second + 1));
  return out;
}

result<idempotency_record> idempotency_decode(std::string_view text) {
  const auto stored = server::json_read(text);
  if (stored.is_discarded() || !stored.is_object()) return errc::storage_error;
  try {
    return idempotency_record{stored.at("hash").get<std::string>(), stored.at("status").get<unsigned>(),
                              server::json_write(stored.at("body")), stored.value("at", std::int64_t{0})};
  } catch (const nlohmann::json::exception&) {
    return errc::storage_error;
  }
}

free_slot free_slot_decode(std::string_view product, std::string_view value) {
  free_slot slot{std::string(product), std::string(value), 0};
  if (value.empty() || value.front() != hold_marker) return slot;
  const auto slash = value.find('/');
  std::from_chars(value.data() + 1, value.data() + std::min(slash, value.size()), slot.held_until);
  slot.license_id = slash == std::string_view::npos ? std::string() : std::string(value.substr(slash + 1));
  return slot;
}

std::string free_slot_encode(const free_slot& slot) {
  if (slot.held_until == 0) return slot.license_id;
  return hold_marker + std::to_string(slot.held_until) + "/" + slot.license_id;
}

// The next number of an append-only log keyed by 16-hex sequence numbers. The single writer
// makes "last + 1" safe: no other job runs between the read and the insert.
result<std::uint64_t> sequence_next(const txn& t, const char* db) {
  auto last = t.last_key(db);
  if (!last) return last.error();
  if (!*last) return std::uint64_t{1};
  const auto previous = hex16_parse(**last);
  if (!previous) return errc::storage_error;
  return *previous + 1;
}

// An event is stored as its head (a JSON object, without "data"), a newline, then its data as
// it was written: a compact dump has no raw newline, and the data is never parsed to be sent.
std::string outbox_encode(const outbox_event& event) {
  const nlohmann::json head{{"seq", event.seq}, {"id", event.id}, {"type", event.type}, {"occurred_at", event.occurred_at},
                            {"partner_id", event.partner_id}, {"subject", event.subject}};
  return server::json_write(head) + "\n" + event.data;
}

// Newest first: the seq counted down.
std::string partner_event_key(const outbox_event& event) {
  return join(event.partner_id, hex16(UINT64_MAX - event.seq));
}

result<outbox_event> outbox_decode(std::string_view text) {
  const auto newline = text.find('\n');
  // Events written before schema 11 are one document with a "data" member.
  auto json = server::json_read(text.substr(0, newline));
  if (json.is_discarded() || !json.is_object()) return errc::storage_error;
  try {
    outbox_event event;
    event.seq = json.at("seq").get<std::uint64_t>();
    event.id = json.at("id").get<std::string>();
    event.type = json.at("type").get<std::string>();
    event.occurred_at = json.at("occurred_at").get<std::int64_t>();
    event.partner_id = json.at("partner_id").get<std::string>();
    event.subject = json.at("subject").get<std::string>();
    event.data = newline == std::string_view::npos ? server::json_write(json.at("data")) : std::string(text.substr(newline + 1));
    return event;
  } catch (const nlohmann::json::exception&) {
    return errc::storage_error;
  }
}

nlohmann::json audit_encode(const audit_entry& entry) {
  nlohmann::json json{{"seq", entry.seq},       {"at", rfc3339_format(entry.at)}, {"actor", entry.actor},
                      {"action", entry.action}, {"target", entry.target},         {"details", entry.details}};
  if (!entry.request_id.empty()) json["request_id"] = entry.request_id;
  return json;
}

result<audit_entry> audit_decode(std::string_view text) {
  const auto json = server::json_read(text);
  if (json.is_discarded() || !json.is_object()) return errc::storage_error;
  audit_entry entry;
  try {
    entry.seq = json.value("seq", std::uint64_t{0});
    const auto at = rfc3339_parse(json.value("at", std::string()));
    entry.at = at ? *at : 0;
    entry.actor = json.value("actor", std::string());
    entry.action = json.value("action", std::string());
    entry.target = json.value("target", std::string());
    entry.details = json.value("details", nlohmann::json::object());
    entry.request_id = json.value("request_id", std::string());
  } catch (const nlohmann::json::exception&) {
    return errc::storage_error;
  }
  return entry;
}

// The token index entry of a license's current token.
result<void> token_index(txn& t, const license_record& license) {
  if (license.token.empty()) return {};
  return t.put(db::token_hashes, server::hash_hex(license.token),
               token_binding_encode({license.id, license.kid, license.email, false}));
}

}  // namespace

// -- meta

result<std::optional<std::string>> lmdb_view::operator_token_hash() const { return txn_.get(db::meta, operator_token_key); }

result<std::optional<std::string>> lmdb_view::keyring_shared() const { return txn_.get(db::meta, keyring_shared_key); }

result<std::uint64_t> lmdb_view::keyring_audited_version() const {
  return number_get(txn_, db::meta, keyring_audited_key);
}

result<std::vector<license_tally>> lmdb_view::license_tallies() const {
  std::vector<license_tally> out;
  auto scanned = txn_.scan(db::counters, license_tally_prefix, "", SIZE_MAX, [&](std::string_view key, std::string_view value) {
    const auto names = key.substr(license_tally_prefix.size());
    const auto slash = names.find('/');
    const auto status = server::license_status_parse(names.substr(0, slash));
    const auto kind = license_kind_parse(slash == std::string_view::npos ? "" : names.substr(slash + 1));
    std::uint64_t count = 0;
    const auto parsed = std::from_chars(value.data(), value.data() + value.size(), count);
    if (!status || !kind || parsed.ec != std::errc{}) return false;
    if (count > 0) out.push_back({*status, *kind, count});
    return true;
  });
  if (!scanned) return scanned.error();
  return out;
}

result<void> lmdb_view::operator_token_hash_set(std::string_view hash) { return txn_.put(db::meta, operator_token_key, hash); }

result<void> lmdb_view::keyring_shared_set(std::string_view document) { return txn_.put(db::meta, keyring_shared_key, document); }

result<void> lmdb_view::keyring_audited_version_set(std::uint64_t version) {
  return txn_.put(db::meta, keyring_audited_key, std::to_string(version));
}

// -- partners and API keys

result<std::optional<partner_record>> lmdb_view::partner_get(std::string_view id) const {
  return record_find<partner_record>(txn_, db::partners, id);
}

result<page<partner_record>> lmdb_view::partners_list(const page_request& page) const {
  return records_list<partner_record>(txn_, db::partners, nullptr, "", page);
}

result<void> lmdb_view::partner_put(const partner_record& partner) {
  return record_put(txn_, db::partners, partner.id, partner);
}

result<std::optional<api_key_record>> lmdb_view::api_key_by_hash(std::string_view secret_hash) const {
  return record_find<api_key_record>(txn_, db::api_keys, secret_hash);
}

result<std::optional<std::string>> lmdb_view::api_key_hash_of(std::string_view key_id) const {
  return txn_.get(db::meta, api_key_meta_key(key_id));
}

result<std::vector<api_key_record>> lmdb_view::api_keys_list(std::string_view partner_id) const {
  // Keys are stored by hash, so this reads them all; an organisation's people list their keys
  // rarely and the whole store holds a few per partner.
  std::vector<api_key_record> out;
  errc failure{};
  auto scanned = txn_.scan(db::api_keys, "", "", SIZE_MAX, [&](std::string_view, std::string_view value) {
    auto key = record_decode<api_key_record>(value);
    if (!key) {
      failure = key.error();
      return false;
    }
    if (key->partner_id == partner_id) out.push_back(std::move(*key));
    return true;
  });
  if (!scanned) return scanned.error();
  if (failure != errc{}) return failure;
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created_at < b.created_at; });
  return out;
}

result<void> lmdb_view::api_key_insert(std::string_view secret_hash, const api_key_record& key) {
  if (auto inserted = txn_.insert(db::api_keys, secret_hash, record_encode(key)); !inserted) return inserted;
  return txn_.put(db::meta, api_key_meta_key(key.id), secret_hash);
}

result<void> lmdb_view::api_key_put(std::string_view secret_hash, const api_key_record& key) {
  return record_put(txn_, db::api_keys, secret_hash, key);
}

// -- people

namespace {

// The organisation part of org_users keys: a customer or partner id, or "-" for the operators.
std::string org_key(std::string_view organisation) { return organisation.empty() ? std::string("-") : std::string(organisation); }

// The records of every id listed under `prefix` in `index` (key suffixes are ids).
template <class Record>
result<std::vector<Record>> records_under(const txn& t, const char* index, const char* records, const std::string& prefix) {
  std::vector<std::string> ids;
  auto scanned = t.scan(index, prefix, "", SIZE_MAX, [&](std::string_view key, std::string_view) {
    ids.emplace_back(key.substr(prefix.size()));
    return true;
  });
  if (!scanned) return scanned.error();
  std::vector<Record> out;
  for (const auto& id : ids) {
    auto found = record_find<Record>(t, records, id);
    if (!found) return found.error();
    if (*found) out.push_back(std::move(**found));
  }
  return out;
}

}  // namespace

result<std::optional<user_record>> lmdb_view::user_get(std::string_view id) const {
  return record_find<user_record>(txn_, db::users, id);
}

result<std::vector<user_record>> lmdb_view::users_by_email(std::string_view email) const {
  return records_under<user_record>(txn_, db::user_emails, db::users, join(email, ""));
}

result<std::vector<user_record>> lmdb_view::users_of(std::string_view organisation) const {
  return records_under<user_record>(txn_, db::org_users, db::users, join(org_key(organisation), ""));
}

result<std::optional<session_record>> lmdb_view::session_by_hash(std::string_view secret_hash) const {
  return record_find<session_record>(txn_, db::sessions, secret_hash);
}

result<std::vector<std::pair<std::string, session_record>>> lmdb_view::sessions_of(std::string_view user_id) const {
  const auto prefix = join(user_id, "");
  std::vector<std::string> hashes;
  auto scanned = txn_.scan(db::user_sessions, prefix, "", SIZE_MAX, [&](std::string_view key, std::string_view) {
    hashes.emplace_back(key.substr(prefix.size()));
    return true;
  });
  if (!scanned) return scanned.error();
  std::vector<std::pair<std::string, session_record>> out;
  for (auto& hash : hashes) {
    auto session = session_by_hash(hash);
    if (!session) return session.error();
    if (*session) out.emplace_back(std::move(hash), std::move(**session));
  }
  return out;
}

result<std::optional<user_token_record>> lmdb_view::user_token_get(std::string_view token_hash) const {
  return record_find<user_token_record>(txn_, db::user_tokens, token_hash);
}

result<void> lmdb_view::user_insert(const user_record& user) {
  auto same_email = users_by_email(user.email);
  if (!same_email) return same_email.error();
  for (const auto& other : *same_email)
    if (user_organisation(other) == user_organisation(user)) return errc::conflict;
  if (auto inserted = txn_.insert(db::users, user.id, record_encode(user)); !inserted) return inserted;
  if (auto put = txn_.put(db::user_emails, join(user.email, user.id), ""); !put) return put;
  return txn_.put(db::org_users, join(org_key(user_organisation(user)), user.id), "");
}

result<void> lmdb_view::user_put(const user_record& user) {
  auto stored = user_get(user.id);
  if (!stored) return stored.error();
  if (!*stored) return errc::not_found;
  if ((*stored)->email != user.email || user_organisation(**stored) != user_organisation(user)) return errc::conflict;
  return record_put(txn_, db::users, user.id, user);
}

result<void> lmdb_view::session_put(std::string_view secret_hash, const session_record& session) {
  if (auto put = record_put(txn_, db::sessions, secret_hash, session); !put) return put;
  return txn_.put(db::user_sessions, join(session.user_id, secret_hash), "");
}

result<void> lmdb_view::session_erase(std::string_view secret_hash) {
  auto session = session_by_hash(secret_hash);
  if (!session) return session.error();
  if (!*session) return {};
  if (auto erased = txn_.erase(db::user_sessions, join((*session)->user_id, secret_hash)); !erased) return erased;
  return txn_.erase(db::sessions, secret_hash);
}

result<page<std::pair<std::string, user_token_record>>> lmdb_view::user_tokens_list(const page_request& page) const {
  using item = std::pair<std::string, user_token_record>;
  return page_scan<item>(txn_, db::user_tokens, "", page,
                         [](std::string_view hash, std::string_view value) -> result<std::optional<item>> {
                           auto token = record_decode<user_token_record>(value);
                           if (!token) return token.error();
                           return std::optional<item>{item{std::string(hash), std::move(*token)}};
                         });
}

result<void> lmdb_view::user_token_put(std::string_view token_hash, const user_token_record& token) {
  return record_put(txn_, db::user_tokens, token_hash, token);
}

result<void> lmdb_view::user_token_erase(std::string_view token_hash) { return txn_.erase(db::user_tokens, token_hash); }

result<organisation_security_record> lmdb_view::organisation_security_get(std::string_view partner_id) const {
  auto found = record_find<organisation_security_record>(txn_, db::meta, security_meta_key(partner_id));
  if (!found) return found.error();
  return found->value_or(organisation_security_record{});
}

result<void> lmdb_view::organisation_security_put(std::string_view partner_id, const organisation_security_record& security) {
  return record_put(txn_, db::meta, security_meta_key(partner_id), security);
}

// -- customers

result<std::optional<customer_record>> lmdb_view::customer_get(std::string_view id) const {
  return record_find<customer_record>(txn_, db::customers, id);
}

result<std::optional<std::string>> lmdb_view::customer_id_by_email(std::string_view email) const {
  return txn_.get(db::customer_emails, email);
}

result<page<customer_record>> lmdb_view::customers_list(std::string_view partner_id, const page_request& page,
                                                       order direction) const {
  return records_list<customer_record>(txn_, db::customers, db::partner_customers, partner_id, page, direction);
}

result<page<customer_record>> lmdb_view::customers_search(std::string_view partner_id, std::string_view folded_prefix,
                                                         const page_request& page) const {
  const auto prefix = std::string(partner_id) + '/' + std::string(folded_prefix);
  return page_scan<customer_record>(txn_, db::customer_search, prefix, page,
                                    [&](std::string_view suffix, std::string_view) -> result<std::optional<customer_record>> {
    const auto slash = suffix.rfind('/');
    auto found = record_find<customer_record>(txn_, db::customers, suffix.substr(slash + 1));
    if (!found || !*found) return found;
    // A customer is listed at the first of its texts that matches; its later ones are skipped.
    const auto text = std::string(folded_prefix) + std::string(suffix.substr(0, slash));
    for (const auto& other : server::customer_search_texts(**found))
      if (other < text && other.starts_with(folded_prefix)) return std::optional<customer_record>{};
    return found;
  });
}

result<std::uint64_t> lmdb_view::customer_licenses_count(std::string_view customer_id) const {
  return count_under(txn_, db::customer_licenses, join(customer_id, ""));
}

result<std::vector<license_record>> lmdb_view::licenses_of_customer(std::string_view customer_id) const {
  return records_under<license_record>(txn_, db::customer_licenses, db::licenses, join(customer_id, ""));
}

result<void> lmdb_view::customer_insert(const customer_record& customer) {
  if (auto inserted = txn_.insert(db::customer_emails, customer.email, customer.id); !inserted) return inserted;
  if (auto put = record_put(txn_, db::customers, customer.id, customer); !put) return put;
  if (auto indexed = keys_put(txn_, db::customer_search, customer_search_keys(customer)); !indexed) return indexed;
  return txn_.put(db::partner_customers, join(customer.partner_id, customer.id), "");
}

result<void> lmdb_view::customer_put(const customer_record& customer) {
  auto stored = customer_get(customer.id);
  if (!stored) return stored.error();
  if (!*stored) return errc::not_found;
  if ((*stored)->email != customer.email) return errc::conflict;
  if ((*stored)->partner_id != customer.partner_id) {
    if (auto erased = txn_.erase(db::partner_customers, join((*stored)->partner_id, customer.id)); !erased) return erased;
    if (auto put = txn_.put(db::partner_customers, join(customer.partner_id, customer.id), ""); !put) return put;
  }
  if (auto indexed = keys_replace(txn_, db::customer_search, customer_search_keys(**stored), customer_search_keys(customer)); !indexed)
    return indexed;
  return record_put(txn_, db::customers, customer.id, customer);
}

result<void> lmdb_view::customer_erase(std::string_view id) {
  auto stored = customer_get(id);
  if (!stored) return stored.error();
  if (!*stored) return {};
  const auto& customer = **stored;
  auto holder = customer_id_by_email(customer.email);
  if (!holder) return holder.error();
  if (*holder == customer.id) {
    if (auto erased = txn_.erase(db::customer_emails, customer.email); !erased) return erased;
  }
  if (auto erased = txn_.erase(db::partner_customers, join(customer.partner_id, customer.id)); !erased) return erased;
  if (auto erased = keys_erase(txn_, db::customer_search, customer_search_keys(customer)); !erased) return erased;
  return txn_.erase(db::customers, id);
}

// -- products

result<std::optional<product_record>> lmdb_view::product_get(std::string_view id) const {
  return record_find<product_record>(txn_, db::products, id);
}

result<page<product_record>> lmdb_view::products_list(const page_request& page) const {
  return records_list<product_record>(txn_, db::products, nullptr, "", page);
}

result<void> lmdb_view::product_insert(const product_record& product) {
  return txn_.insert(db::products, product.id, record_encode(product));
}

result<void> lmdb_view::product_put(const product_record& product) {
  return record_put(txn_, db::products, product.id, product);
}

// -- licenses

result<std::optional<license_record>> lmdb_view::license_get(std::string_view id) const {
  return record_find<license_record>(txn_, db::licenses, id);
}

result<std::optional<std::string>> lmdb_view::license_id_by_activation_key(std::string_view canonical) const {
  return txn_.get(db::activation_keys, canonical);
}

result<page<license_record>> lmdb_view::licenses_list(std::string_view partner_id, const page_request& page,
                                                     order direction) const {
  return records_list<license_record>(txn_, db::licenses, db::partner_licenses, partner_id, page, direction);
}

result<page<license_record>> lmdb_view::licenses_by_email(std::string_view partner_id, std::string_view folded_prefix,
                                                         const page_request& page) const {
  const auto prefix = std::string(partner_id) + '/' + std::string(folded_prefix);
  return page_scan<license_record>(txn_, db::license_emails, prefix, page, [&](std::string_view suffix, std::string_view) {
    return record_find<license_record>(txn_, db::licenses, suffix.substr(suffix.rfind('/') + 1));
  });
}

result<page<license_record>> lmdb_view::licenses_by_status(std::string_view partner_id, license_status status,
                                                          const page_request& page, order direction) const {
  const auto prefix = std::string(partner_id) + '/' + std::string(server::license_status_name(status)) + '/';
  return page_scan<license_record>(txn_, db::license_statuses, prefix, page, [&](std::string_view id, std::string_view) {
    return record_find<license_record>(txn_, db::licenses, id);
  }, {}, direction);
}

result<page<license_record>> lmdb_view::licenses_by_expires(std::string_view partner_id, const expiry_range& range,
                                                           const page_request& page, order direction) const {
  // Keyed partner/at/license: the range is one key range. It starts past every key of the time
  // just outside it ("~" sorts after "/" and every id), unless a cursor says where; it ends at the
  // first key of the time just outside its other end.
  const auto past = [](std::int64_t at) { return hex16_time(at) + "~"; };
  const auto ascending = direction == order::oldest_first;
  auto request = page;
  std::string end;
  if (ascending) {
    if (request.after.empty() && range.from > 0) request.after = past(range.from - 1);
    if (range.through > 0) end = hex16_time(range.through + 1);
  } else {
    if (request.after.empty() && range.through > 0) request.after = hex16_time(range.through + 1);
    if (range.from > 0) end = past(range.from - 1);
  }
  return page_scan<license_record>(txn_, db::license_expiries, join(partner_id, ""), request,
                                   [&](std::string_view rest, std::string_view) {
                                     return record_find<license_record>(txn_, db::licenses, rest.substr(17));
                                   }, end, direction);
}

result<std::vector<std::string>> lmdb_view::licenses_signed_by(std::string_view kid, std::size_t limit) const {
  std::vector<std::string> out;
  const auto prefix = join(kid, "");
  auto scanned = txn_.scan(db::kid_licenses, prefix, "", limit, [&](std::string_view key, std::string_view) {
    out.emplace_back(key.substr(prefix.size()));
    return true;
  });
  if (!scanned) return scanned.error();
  return out;
}

result<std::uint64_t> lmdb_view::licenses_signed_count(std::string_view kid) const {
  return count_under(txn_, db::kid_licenses, join(kid, ""));
}

result<std::optional<token_binding>> lmdb_view::token_binding_get(std::string_view token_hash) const {
  auto value = txn_.get_view(db::token_hashes, token_hash);
  if (!value) return value.error();
  if (!*value) return std::optional<token_binding>{};
  return std::optional<token_binding>{token_binding_decode(**value)};
}

result<void> lmdb_view::license_insert(const license_record& license) {
  if (auto inserted = txn_.insert(db::licenses, license.id, record_encode(license)); !inserted) return inserted;
  if (auto counted = license_tally_add(txn_, license, 1); !counted) return counted;
  if (auto inserted = txn_.insert(db::activation_keys, server::activation_key_canonical(license.activation_key).value_or(license.activation_key), license.id); !inserted)
    return inserted;
  if (auto put = txn_.put(db::partner_licenses, join(license.partner_id, license.id), ""); !put) return put;
  if (auto indexed = keys_put(txn_, db::license_emails, license_email_keys(license)); !indexed) return indexed;
  if (auto indexed = keys_put(txn_, db::license_statuses, license_status_keys(license)); !indexed) return indexed;
  if (auto indexed = keys_put(txn_, db::license_expiries, license_expires_keys(license)); !indexed) return indexed;
  if (!license.customer_id.empty()) {
    if (auto put = txn_.put(db::customer_licenses, join(license.customer_id, license.id), ""); !put) return put;
  }
  if (!license.kid.empty()) {
    if (auto put = txn_.put(db::kid_licenses, join(license.kid, license.id), ""); !put) return put;
  }
  if (license.expires_at != 0) {
    if (auto put = txn_.put(db::license_expiry, license_expiry_key(license.expires_at, license.id), ""); !put) return put;
  }
  return token_index(txn_, license);
}

result<void> lmdb_view::license_put(const license_record& license) {
  auto stored = license_get(license.id);
  if (!stored) return stored.error();
  if (!*stored) return errc::not_found;
  const auto& before = **stored;
  if (before.status != license.status || before.kind != license.kind) {
    if (auto counted = license_tally_add(txn_, before, -1); !counted) return counted;
    if (auto counted = license_tally_add(txn_, license, 1); !counted) return counted;
  }
  if (auto indexed = keys_replace(txn_, db::license_emails, license_email_keys(before), license_email_keys(license)); !indexed)
    return indexed;
  if (auto indexed = keys_replace(txn_, db::license_statuses, license_status_keys(before), license_status_keys(license)); !indexed)
    return indexed;
  if (auto indexed = keys_replace(txn_, db::license_expiries, license_expires_keys(before), license_expires_keys(license)); !indexed)
    return indexed;
  if (before.customer_id != license.customer_id) {
    if (!before.customer_id.empty()) {
      if (auto erased = txn_.erase(db::customer_licenses, join(before.customer_id, license.id)); !erased) return erased;
    }
    if (!license.customer_id.empty()) {
      if (auto put = txn_.put(db::customer_licenses, join(license.customer_id, license.id), ""); !put) return put;
    }
  }
  if (before.kid != license.kid) {
    if (!before.kid.empty()) {
      if (auto erased = txn_.erase(db::kid_licenses, join(before.kid, license.id)); !erased) return erased;
    }
    if (!license.kid.empty()) {
      if (auto put = txn_.put(db::kid_licenses, join(license.kid, license.id), ""); !put) return put;
    }
  }
  if (before.expires_at != license.expires_at) {
    if (before.expires_at != 0) {
      if (auto erased = txn_.erase(db::license_expiry, license_expiry_key(before.expires_at, license.id)); !erased) return erased;
    }
    if (license.expires_at != 0) {
      if (auto put = txn_.put(db::license_expiry, license_expiry_key(license.expires_at, license.id), ""); !put) return put;
    }
  }
  if (auto put = record_put(txn_, db::licenses, license.id, license); !put) return put;
  return token_index(txn_, license);
}

result<void> lmdb_view::license_erase(std::string_view id) {
  auto stored = license_get(id);
  if (!stored) return stored.error();
  if (!*stored) return {};
  const auto& license = **stored;
  if (!license.customer_id.empty()) {
    if (auto erased = txn_.erase(db::customer_licenses, join(license.customer_id, license.id)); !erased) return erased;
  }
  if (auto erased = txn_.erase(db::partner_licenses, join(license.partner_id, license.id)); !erased) return erased;
  if (auto erased = keys_erase(txn_, db::license_emails, license_email_keys(license)); !erased) return erased;
  if (auto erased = keys_erase(txn_, db::license_statuses, license_status_keys(license)); !erased) return erased;
  if (auto erased = keys_erase(txn_, db::license_expiries, license_expires_keys(license)); !erased) return erased;
  if (auto erased = txn_.erase(db::kid_licenses, join(license.kid, license.id)); !erased) return erased;
  if (auto erased = txn_.erase(db::activation_keys, server::activation_key_canonical(license.activation_key).value_or(license.activation_key)); !erased) return erased;
  if (auto counted = license_tally_add(txn_, license, -1); !counted) return counted;
  if (license.expires_at != 0) {
    if (auto erased = txn_.erase(db::license_expiry, license_expiry_key(license.expires_at, license.id)); !erased) return erased;
  }
  return txn_.erase(db::licenses, id);
}

result<page<std::pair<std::string, token_binding>>> lmdb_view::token_bindings_list(const page_request& page) const {
  using item = std::pair<std::string, token_binding>;
  return page_scan<item>(txn_, db::token_hashes, "", page,
                         [](std::string_view hash, std::string_view value) -> result<std::optional<item>> {
                           return std::optional<item>{item{std::string(hash), token_binding_decode(value)}};
                         });
}

result<void> lmdb_view::token_binding_put(std::string_view token_hash, const token_binding& binding) {
  return txn_.put(db::token_hashes, token_hash, token_binding_encode(binding));
}

// -- free-license slots and cap

result<std::optional<free_slot>> lmdb_view::free_slot_get(std::string_view customer_id, std::string_view product) const {
  auto value = txn_.get(db::free_licenses, join(customer_id, product));
  if (!value) return value.error();
  if (!*value) return std::optional<free_slot>{};
  return std::optional<free_slot>{free_slot_decode(product, **value)};
}

result<std::vector<free_slot>> lmdb_view::free_slots_of(std::string_view customer_id) const {
  std::vector<free_slot> out;
  const auto prefix = join(customer_id, "");
  auto scanned = txn_.scan(db::free_licenses, prefix, "", SIZE_MAX, [&](std::string_view key, std::string_view value) {
    out.push_back(free_slot_decode(key.substr(prefix.size()), value));
    return true;
  });
  if (!scanned) return scanned.error();
  return out;
}

result<void> lmdb_view::free_slot_put(std::string_view customer_id, const free_slot& slot) {
  return txn_.put(db::free_licenses, join(customer_id, slot.product), free_slot_encode(slot));
}

result<void> lmdb_view::free_slot_erase(std::string_view customer_id, std::string_view product) {
  return txn_.erase(db::free_licenses, join(customer_id, product));
}

result<std::uint32_t> lmdb_view::free_cap_count(std::string_view partner_id) const {
  auto count = number_get(txn_, db::counters, free_counter_key(partner_id));
  if (!count) return count.error();
  return static_cast<std::uint32_t>(*count);
}

result<void> lmdb_view::free_cap_count_add(std::string_view partner_id, std::int64_t delta) {
  auto count = free_cap_count(partner_id);
  if (!count) return count.error();
  const auto next = static_cast<std::int64_t>(*count) + delta;
  if (next < 0) return errc::internal;
  return txn_.put(db::counters, free_counter_key(partner_id), std::to_string(next));
}

result<std::vector<free_cap_hold>> lmdb_view::free_cap_holds_before(std::string_view partner_id, std::int64_t before,
                                                                    std::size_t limit) const {
  std::vector<free_cap_hold> out;
  const auto prefix = join(partner_id, "");
  auto scanned = txn_.scan(db::free_cap_holds, prefix, "", limit, [&](std::string_view key, std::string_view) {
    const auto rest = key.substr(prefix.size());
    const auto until = hex16_parse(rest);
    if (!until || static_cast<std::int64_t>(*until) >= before || rest.size() < 17) return false;
    out.push_back({static_cast<std::int64_t>(*until), std::string(rest.substr(17))});
    return true;
  });
  if (!scanned) return scanned.error();
  return out;
}

result<void> lmdb_view::free_cap_hold_put(std::string_view partner_id, const free_cap_hold& hold) {
  return txn_.put(db::free_cap_holds, cap_hold_key(partner_id, hold), "");
}

result<void> lmdb_view::free_cap_hold_erase(std::string_view partner_id, const free_cap_hold& hold) {
  return txn_.erase(db::free_cap_holds, cap_hold_key(partner_id, hold));
}

// -- subscriptions, members, ledger, schedule

result<std::optional<subscription_record>> lmdb_view::subscription_get(std::string_view license_id) const {
  return record_find<subscription_record>(txn_, db::subscriptions, license_id);
}

result<void> lmdb_view::subscription_put(subscription_record& sub, std::int64_t due) {
  if (due != sub.schedule_due) {
    if (sub.schedule_due != 0) {
      if (auto erased = txn_.erase(db::schedule, schedule_key(sub.schedule_due, sub.license_id)); !erased) return erased;
    }
    if (due != 0) {
      if (auto put = txn_.put(db::schedule, schedule_key(due, sub.license_id), ""); !put) return put;
    }
    sub.schedule_due = due;
  }
  return record_put(txn_, db::subscriptions, sub.license_id, sub);
}

result<void> lmdb_view::subscription_erase(std::string_view license_id) {
  auto stored = subscription_get(license_id);
  if (!stored) return stored.error();
  if (!*stored) return {};
  if ((*stored)->schedule_due != 0) {
    if (auto erased = txn_.erase(db::schedule, schedule_key((*stored)->schedule_due, license_id)); !erased) return erased;
  }
  return txn_.erase(db::subscriptions, license_id);
}

result<std::vector<schedule_entry>> lmdb_view::schedule_due(std::int64_t now, std::size_t limit) const {
  std::vector<schedule_entry> out;
  auto scanned = txn_.scan(db::schedule, "", "", SIZE_MAX, [&](std::string_view key, std::string_view) {
    const auto due = hex16_parse(key);
    if (!due || key.size() <= 17) return true;  // not a key this code writes: never due
    if (static_cast<std::int64_t>(*due) > now || out.size() == limit) return false;
    out.push_back({static_cast<std::int64_t>(*due), std::string(key.substr(17))});
    return true;
  });
  if (!scanned) return scanned.error();
  return out;
}

result<void> lmdb_view::schedule_erase(const schedule_entry& entry) {
  return txn_.erase(db::schedule, schedule_key(entry.due, entry.license_id));
}

result<std::optional<member_record>> lmdb_view::member_get(std::string_view license_id, std::string_view email) const {
  return record_find<member_record>(txn_, db::members, join(license_id, email));
}

result<std::vector<member_record>> lmdb_view::members_of(std::string_view license_id) const {
  std::vector<member_record> out;
  errc failure{};
  bool failed = false;
  auto scanned = txn_.scan(db::members, join(license_id, ""), "", SIZE_MAX, [&](std::string_view, std::string_view value) {
    auto member = record_decode<member_record>(value);
    if (!member) {
      failure = member.error();
      failed = true;
      return false;
    }
    out.push_back(std::move(*member));
    return true;
  });
  if (!scanned) return scanned.error();
  if (failed) return failure;
  return out;
}

result<std::uint32_t> lmdb_view::members_count(std::string_view license_id) const {
  std::uint32_t count = 0;
  auto scanned = txn_.scan(db::members, join(license_id, ""), "", SIZE_MAX, [&count](std::string_view, std::string_view) {
    ++count;
    return true;
  });
  if (!scanned) return scanned.error();
  return count;
}

result<void> lmdb_view::member_insert(std::string_view license_id, const member_record& member) {
  return txn_.insert(db::members, join(license_id, member.email), record_encode(member));
}

result<void> lmdb_view::member_put(std::string_view license_id, const member_record& member) {
  return record_put(txn_, db::members, join(license_id, member.email), member);
}

result<void> lmdb_view::member_erase(std::string_view license_id, std::string_view email) {
  return txn_.erase(db::members, join(license_id, email));
}

result<page<ledger_entry>> lmdb_view::ledger_of(std::string_view license_id, const page_request& page) const {
  return page_scan<ledger_entry>(txn_, db::ledger, join(license_id, ""), page, record_item<ledger_entry>);
}

result<page<ledger_entry>> lmdb_view::partner_ledger(std::string_view partner_id, const ledger_period& period,
                                                     const page_request& page) const {
  // Keyed partner/at/license/seq: a period is one key range.
  auto request = page;
  if (request.after.empty() && period.from > 0) request.after = hex16_time(period.from - 1) + "~";
  const auto end = period.to > 0 ? hex16_time(period.to) : std::string();
  return page_scan<ledger_entry>(txn_, db::partner_ledger, join(partner_id, ""), request,
                                 [&](std::string_view rest, std::string_view) {
                                   return record_find<ledger_entry>(txn_, db::ledger, rest.substr(17));
                                 }, end);
}

result<std::uint64_t> lmdb_view::ledger_append(ledger_entry& entry) {
  const auto prefix = join(entry.license_id, "");
  auto last = txn_.last_key_under(db::ledger, prefix);
  if (!last) return last.error();
  entry.seq = 1;
  if (*last) {
    const auto previous = hex16_parse(std::string_view(**last).substr(prefix.size()));
    if (!previous) return errc::storage_error;
    entry.seq = *previous + 1;
  }
  const auto key = prefix + hex16(entry.seq);
  if (auto inserted = txn_.insert(db::ledger, key, record_encode(entry)); !inserted) return inserted.error();
  if (auto put = txn_.put(db::partner_ledger, join(join(entry.partner_id, hex16_time(entry.at)), key), ""); !put)
    return put.error();
  return entry.seq;
}

// -- re-signing after a revocation (meta/"resign/<kid>" -> task)

result<std::vector<resign_task>> lmdb_view::resign_tasks() const {
  std::vector<resign_task> out;
  errc failure{};
  bool failed = false;
  auto scanned = txn_.scan(db::meta, resign_prefix, "", SIZE_MAX, [&](std::string_view, std::string_view value) {
    auto task = record_decode<resign_task>(value);
    if (!task) {
      failure = task.error();
      failed = true;
      return false;
    }
    out.push_back(std::move(*task));
    return true;
  });
  if (!scanned) return scanned.error();
  if (failed) return failure;
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.started_at < b.started_at; });
  return out;
}

result<void> lmdb_view::resign_task_put(const resign_task& task) {
  return record_put(txn_, db::meta, std::string(resign_prefix) + task.kid, task);
}

result<void> lmdb_view::resign_task_erase(std::string_view kid) {
  return txn_.erase(db::meta, std::string(resign_prefix) + std::string(kid));
}

// -- audit and idempotency

result<page<audit_entry>> lmdb_view::audit_list(const page_request& page, order direction) const {
  return page_scan<audit_entry>(txn_, db::audit, "", page,
                                [](std::string_view, std::string_view value) -> result<std::optional<audit_entry>> {
                                  auto entry = audit_decode(value);
                                  if (!entry) return entry.error();
                                  return std::optional<audit_entry>{std::move(*entry)};
                                }, {}, direction);
}

result<std::uint64_t> lmdb_view::audit_append(audit_entry& entry) {
  auto seq = sequence_next(txn_, db::audit);
  if (!seq) return seq;
  entry.seq = *seq;
  if (auto inserted = txn_.insert(db::audit, hex16(entry.seq), server::json_write(audit_encode(entry))); !inserted)
    return inserted.error();
  return entry.seq;
}

result<void> lmdb_view::outbox_insert(const outbox_event& event) {
  if (auto inserted = txn_.insert(db::outbox, hex16(event.seq), outbox_encode(event)); !inserted) return inserted;
  if (auto indexed = txn_.insert(db::outbox_ids, event.id, hex16(event.seq)); !indexed) return indexed;
  if (event.partner_id.empty()) return {};
  return txn_.put(db::partner_events, partner_event_key(event), "");
}

result<std::uint64_t> lmdb_view::outbox_append(outbox_event& event) {
  auto seq = sequence_next(txn_, db::outbox);
  if (!seq) return seq;
  event.seq = *seq;
  if (auto inserted = outbox_insert(event); !inserted) return inserted.error();
  return event.seq;
}

result<void> lmdb_view::outbox_restore(const outbox_event& event) {
  // Appends number from the last key, so an event below it would break their order.
  auto next = sequence_next(txn_, db::outbox);
  if (!next) return next.error();
  if (event.seq < *next) return errc::conflict;
  return outbox_insert(event);
}

result<std::vector<outbox_event>> lmdb_view::partner_events_recent(std::string_view partner_id, std::size_t limit) const {
  std::vector<outbox_event> out;
  errc failure{};
  auto scanned = txn_.scan(db::partner_events, join(partner_id, ""), "", limit, [&](std::string_view key, std::string_view) {
    const auto counted_down = key.substr(key.rfind('/') + 1);
    std::uint64_t down = 0;
    std::from_chars(counted_down.data(), counted_down.data() + counted_down.size(), down, 16);
    auto value = txn_.get(db::outbox, hex16(UINT64_MAX - down));
    if (!value) {
      failure = value.error();
      return false;
    }
    // Pruning erases an event and its entry here in one job, so none should be missing; one that
    // is is skipped rather than failing the partner's dashboard.
    if (!*value) return true;
    auto event = outbox_decode(**value);
    if (!event) {
      failure = event.error();
      return false;
    }
    out.push_back(std::move(*event));
    return true;
  });
  if (!scanned) return scanned.error();
  if (failure != errc{}) return failure;
  return out;
}

result<std::vector<expiry_entry>> lmdb_view::licenses_by_expiry(std::string_view after, std::int64_t through,
                                                                std::size_t limit) const {
  std::vector<expiry_entry> out;
  const auto end = hex16_time(through);
  auto scanned = txn_.scan(db::license_expiry, "", after, limit, [&](std::string_view key, std::string_view) {
    if (key.size() < 18 || key.substr(0, 16) > end) return false;
    const auto at = hex16_parse(key);
    out.push_back({static_cast<std::int64_t>(at.value_or(0)), std::string(key.substr(17)), std::string(key)});
    return true;
  });
  if (!scanned) return scanned.error();
  return out;
}

result<std::string> lmdb_view::sweep_position(std::string_view name) const {
  auto value = txn_.get(db::meta, std::string(sweep_prefix) + std::string(name));
  if (!value) return value.error();
  return value->value_or("");
}

result<std::vector<std::pair<std::string, std::string>>> lmdb_view::sweep_positions() const {
  std::vector<std::pair<std::string, std::string>> out;
  auto scanned = txn_.scan(db::meta, std::string(sweep_prefix), "", SIZE_MAX, [&](std::string_view key, std::string_view value) {
    // The compliance sweep's record shares the prefix (compliance_sweep_key); it is not a position.
    if (key != compliance_sweep_key) out.emplace_back(key.substr(sweep_prefix.size()), value);
    return true;
  });
  if (!scanned) return scanned.error();
  return out;
}

result<void> lmdb_view::sweep_position_set(std::string_view name, std::string_view position) {
  return txn_.put(db::meta, std::string(sweep_prefix) + std::string(name), position);
}

result<compliance_sweep_record> lmdb_view::compliance_sweep_get() const {
  auto found = record_find<compliance_sweep_record>(txn_, db::meta, compliance_sweep_key);
  if (!found) return found.error();
  return found->value_or(compliance_sweep_record{});
}

result<void> lmdb_view::compliance_sweep_put(const compliance_sweep_record& sweep) {
  return record_put(txn_, db::meta, compliance_sweep_key, sweep);
}

// meta "campaign/<id>": campaign ids sort by creation time (core/ids.hpp).
result<std::optional<campaign_record>> lmdb_view::campaign_get(std::string_view id) const {
  return record_find<campaign_record>(txn_, db::meta, campaign_key(id));
}

result<std::vector<campaign_record>> lmdb_view::campaigns_list() const {
  auto all = page_scan<campaign_record>(txn_, db::meta, std::string(campaign_prefix), page_request{SIZE_MAX - 1, {}},
                                        record_item<campaign_record>);
  if (!all) return all.error();
  return std::move(all->items);
}

result<void> lmdb_view::campaign_put(const campaign_record& campaign) {
  return record_put(txn_, db::meta, campaign_key(campaign.id), campaign);
}

// meta "import/<partner>/<external id>" -> license id (a partner id holds no '/').
result<std::optional<std::string>> lmdb_view::import_reference(std::string_view partner_id,
                                                               std::string_view external_id) const {
  return txn_.get(db::meta, std::string(import_prefix) + join(partner_id, external_id));
}

result<page<import_reference_entry>> lmdb_view::import_references_list(const page_request& page) const {
  return page_scan<import_reference_entry>(
      txn_, db::meta, std::string(import_prefix), page,
      [](std::string_view suffix, std::string_view license_id) -> result<std::optional<import_reference_entry>> {
        const auto slash = suffix.find('/');
        if (slash == std::string_view::npos) return errc::storage_error;
        return std::optional<import_reference_entry>{import_reference_entry{
            std::string(suffix.substr(0, slash)), std::string(suffix.substr(slash + 1)), std::string(license_id)}};
      });
}

result<void> lmdb_view::import_reference_put(std::string_view partner_id, std::string_view external_id,
                                             std::string_view license_id) {
  return txn_.put(db::meta, std::string(import_prefix) + join(partner_id, external_id), license_id);
}

result<std::uint64_t> lmdb_view::outbox_last_seq() const {
  auto last = txn_.last_key(db::outbox);
  if (!last) return last.error();
  if (!*last) return std::uint64_t{0};
  const auto seq = hex16_parse(**last);
  if (!seq) return errc::storage_error;
  return *seq;
}

result<std::optional<outbox_event>> lmdb_view::outbox_event_by_id(std::string_view event_id) const {
  auto seq = txn_.get(db::outbox_ids, event_id);
  if (!seq) return seq.error();
  if (!*seq) return std::optional<outbox_event>{};
  auto value = txn_.get(db::outbox, **seq);
  if (!value) return value.error();
  if (!*value) return std::optional<outbox_event>{};
  auto event = outbox_decode(**value);
  if (!event) return event.error();
  return std::optional<outbox_event>{std::move(*event)};
}

result<std::size_t> lmdb_view::outbox_prune(std::uint64_t through_seq, std::int64_t before, std::size_t limit) {
  std::vector<outbox_event> old;
  auto newest = outbox_last_seq();
  if (!newest) return newest.error();
  auto events = outbox_after(0, limit);
  if (!events) return events.error();
  for (auto& event : *events) {
    if (event.seq > through_seq || event.seq >= *newest || event.occurred_at >= before) break;
    old.push_back(std::move(event));
  }
  for (const auto& event : old) {
    if (auto erased = txn_.erase(db::outbox, hex16(event.seq)); !erased) return erased.error();
    if (auto erased = txn_.erase(db::outbox_ids, event.id); !erased) return erased.error();
    if (!event.partner_id.empty()) {
      if (auto erased = txn_.erase(db::partner_events, partner_event_key(event)); !erased) return erased.error();
    }
  }
  return old.size();
}

result<std::optional<webhook_endpoint_record>> lmdb_view::webhook_endpoint_get(std::string_view id) const {
  return record_find<webhook_endpoint_record>(txn_, db::webhook_endpoints, id);
}

result<std::vector<webhook_endpoint_record>> lmdb_view::webhook_endpoints() const {
  auto all = page_scan<webhook_endpoint_record>(
      txn_, db::webhook_endpoints, "", page_request{SIZE_MAX - 1, {}},
      record_item<webhook_endpoint_record>);
  if (!all) return all.error();
  return std::move(all->items);
}

result<std::vector<delivery_pending>> lmdb_view::deliveries_pending(std::string_view endpoint_id, std::size_t limit) const {
  auto listed = page_scan<delivery_pending>(
      txn_, db::deliveries, join(endpoint_id, ""), page_request{limit, {}},
      record_item<delivery_pending>);
  if (!listed) return listed.error();
  return std::move(listed->items);
}

result<std::optional<std::uint64_t>> lmdb_view::delivery_subject_head(std::string_view endpoint_id,
                                                                     std::string_view subject) const {
  std::optional<std::uint64_t> head;
  const auto prefix = join(join(endpoint_id, subject), "");
  auto scanned = txn_.scan(db::delivery_subjects, prefix, "", 1, [&](std::string_view key, std::string_view) {
    head = hex16_parse(key.substr(prefix.size()));
    return false;
  });
  if (!scanned) return scanned.error();
  return head;
}

result<page<delivery_attempt>> lmdb_view::delivery_log(std::string_view endpoint_id, const page_request& page) const {
  return page_scan<delivery_attempt>(txn_, db::delivery_log, join(endpoint_id, ""), page,
                                     record_item<delivery_attempt>);
}

result<void> lmdb_view::webhook_endpoint_put(const webhook_endpoint_record& endpoint) {
  return record_put(txn_, db::webhook_endpoints, endpoint.id, endpoint);
}

result<void> lmdb_view::webhook_endpoint_erase(std::string_view id) {
  const auto prefix = join(id, "");
  for (const char* db : {db::deliveries, db::delivery_subjects, db::delivery_log}) {
    std::vector<std::string> keys;
    auto scanned = txn_.scan(db, prefix, "", SIZE_MAX, [&](std::string_view key, std::string_view) {
      keys.emplace_back(key);
      return true;
    });
    if (!scanned) return scanned;
    for (const auto& key : keys)
      if (auto erased = txn_.erase(db, key); !erased) return erased;
  }
  return txn_.erase(db::webhook_endpoints, id);
}

result<void> lmdb_view::delivery_pending_put(const delivery_pending& pending) {
  if (auto put = record_put(txn_, db::deliveries, delivery_key(pending), pending); !put) return put;
  return txn_.put(db::delivery_subjects, delivery_subject_key(pending), "");
}

result<void> lmdb_view::delivery_pending_erase(const delivery_pending& pending) {
  if (auto erased = txn_.erase(db::deliveries, delivery_key(pending)); !erased) return erased;
  return txn_.erase(db::delivery_subjects, delivery_subject_key(pending));
}

result<void> lmdb_view::delivery_log_append(const delivery_attempt& attempt) {
  return record_put(txn_, db::delivery_log, delivery_log_key(attempt), attempt);
}

result<std::size_t> lmdb_view::delivery_log_prune(std::int64_t before, std::size_t limit) {
  // Each endpoint's oldest entries are its last keys: take them from the end while they are old.
  auto endpoints = webhook_endpoints();
  if (!endpoints) return endpoints.error();
  std::size_t removed = 0;
  for (const auto& endpoint : *endpoints) {
    const auto prefix = join(endpoint.id, "");
    while (removed < limit) {
      auto last = txn_.last_key_under(db::delivery_log, prefix);
      if (!last) return last.error();
      if (!*last || delivery_log_key_time(std::string_view(**last).substr(prefix.size())) >= before) break;
      if (auto erased = txn_.erase(db::delivery_log, **last); !erased) return erased.error();
      ++removed;
    }
  }
  return removed;
}

result<std::vector<outbox_event>> lmdb_view::outbox_after(std::uint64_t after_seq, std::size_t limit) const {
  std::vector<outbox_event> out;
  errc failure{};
  auto scanned = txn_.scan(db::outbox, "", after_seq == 0 ? "" : hex16(after_seq), limit,
                           [&](std::string_view, std::string_view value) {
                             auto event = outbox_decode(value);
                             if (!event) {
                               failure = event.error();
                               return false;
                             }
                             out.push_back(std::move(*event));
                             return true;
                           });
  if (!scanned) return scanned.error();
  if (failure != errc{}) return failure;
  return out;
}

result<std::optional<idempotency_record>> lmdb_view::idempotency_get(std::string_view scope) const {
  auto value = txn_.get(db::idempotency, scope);
  if (!value) return value.error();
  if (!*value) return std::optional<idempotency_record>{};
  auto record = idempotency_decode(**value);
  if (!record) return record.error();
  return std::optional<idempotency_record>{std::move(*record)};
}

result<page<std::pair<std::string, idempotency_record>>> lmdb_view::idempotency_list(const page_request& page) const {
  using item = std::pair<std::string, idempotency_record>;
  return page_scan<item>(txn_, db::idempotency, "", page,
                         [](std::string_view scope, std::string_view value) -> result<std::optional<item>> {
                           auto record = idempotency_decode(value);
                           if (!record) return record.error();
                           return std::optional<item>{item{std::string(scope), std::move(*record)}};
                         });
}

result<void> lmdb_view::idempotency_put(std::string_view scope, const idempotency_record& record) {
  auto body = server::json_read(record.body);
  if (body.is_discarded()) return errc::internal;
  const nlohmann::json stored{{"hash", record.request_hash}, {"status", record.status}, {"body", std::move(body)},
                              {"at", record.at}};
  if (auto put = txn_.put(db::idempotency, scope, server::json_write(stored)); !put) return put;
  return txn_.put(db::idempotency_expiry, join(hex16_time(record.at), scope), "");
}

result<void> lmdb_view::idempotency_prune(std::int64_t before, std::size_t limit) {
  std::vector<std::string> index_keys;
  auto scanned = txn_.scan(db::idempotency_expiry, "", "", limit, [&](std::string_view key, std::string_view) {
    const auto at = hex16_parse(key);
    if (!at || static_cast<std::int64_t>(*at) >= before) return false;
    index_keys.emplace_back(key);
    return true;
  });
  if (!scanned) return scanned;
  for (const auto& index_key : index_keys) {
    // The index may name a record replaced since (a key reused after it expired): only a record
    // still recorded at that time goes.
    const auto scope = std::string_view(index_key).substr(17);
    auto stored = idempotency_get(scope);
    if (!stored.ok() || (*stored && (*stored)->at == static_cast<std::int64_t>(*hex16_parse(index_key)))) {
      if (auto erased = txn_.erase(db::idempotency, scope); !erased) return erased;
    }
    if (auto erased = txn_.erase(db::idempotency_expiry, index_key); !erased) return erased;
  }
  return {};
}

}  // namespace licensor::store

namespace licensor::store {

result<std::string> counters_recount_differences(const txn& read) {
  std::map<std::string, std::uint64_t> expected;  // counter key -> recount
  errc failure{};
  auto scanned = read.scan(db::licenses, "", "", SIZE_MAX, [&](std::string_view, std::string_view value) {
    auto license = record_decode<license_record>(value);
    if (!license) {
      failure = license.error();
      return false;
    }
    ++expected[license_tally_key(server::license_status_name(license->status), license_kind_name(license->kind))];
    if (license->kind == license_kind::free) ++expected[free_counter_key(license->partner_id)];
    return true;
  });
  if (!scanned) return scanned.error();
  if (failure != errc{}) return failure;
  scanned = read.scan(db::free_cap_holds, "", "", SIZE_MAX, [&](std::string_view key, std::string_view) {
    ++expected[free_counter_key(key.substr(0, key.find('/')))];
    return true;
  });
  if (!scanned) return scanned.error();

  std::map<std::string, std::uint64_t> stored;
  scanned = read.scan(db::counters, "", "", SIZE_MAX, [&](std::string_view key, std::string_view value) {
    std::uint64_t count = 0;
    std::from_chars(value.data(), value.data() + value.size(), count);
    if (count != 0) stored.emplace(key, count);
    return true;
  });
  if (!scanned) return scanned.error();

  std::string differences;
  for (const auto& [key, count] : expected) {
    const auto found = stored.find(key);
    const std::uint64_t kept = found == stored.end() ? 0 : found->second;
    if (kept != count) differences += key + ": kept " + std::to_string(kept) + ", recounted " + std::to_string(count) + "\n";
  }
  for (const auto& [key, count] : stored)
    if (!expected.contains(key))
      differences += key + ": kept " + std::to_string(count) + ", recounted 0\n";
  return differences;
}

// -- mail (meta/"mail_settings", meta/"mail_template/<name>/<language>")

result<mail_settings_record> lmdb_view::mail_settings_get() const {
  auto found = record_find<mail_settings_record>(txn_, db::meta, mail_settings_key);
  if (!found) return found.error();
  return found->value_or(mail_settings_record{});
}

result<std::optional<mail_template_record>> lmdb_view::mail_template_get(std::string_view name,
                                                                         std::string_view language) const {
  return record_find<mail_template_record>(txn_, db::meta, mail_template_key(name, language));
}

result<std::vector<mail_template_record>> lmdb_view::mail_templates() const {
  auto all = page_scan<mail_template_record>(txn_, db::meta, std::string(mail_template_prefix),
                                             page_request{SIZE_MAX - 1, {}}, record_item<mail_template_record>);
  if (!all) return all.error();
  return std::move(all->items);
}

result<void> lmdb_view::mail_settings_put(const mail_settings_record& settings) {
  return record_put(txn_, db::meta, mail_settings_key, settings);
}

result<void> lmdb_view::mail_template_put(const mail_template_record& replaced) {
  return record_put(txn_, db::meta, mail_template_key(replaced.name, replaced.language), replaced);
}

result<void> lmdb_view::mail_template_erase(std::string_view name, std::string_view language) {
  return txn_.erase(db::meta, mail_template_key(name, language));
}

}  // namespace licensor::store
