// The storage port: what the application core asks of a store, in the domain's words. A backend
// (store/lmdb/, later store/pg/) implements it and keeps its key layouts, codecs and indexes to
// itself; nothing above this header knows how a record is laid out.
//
// Contract (every backend keeps it; tests/server/store/ checks it):
//
// - Isolation is serializable. A read_view is a consistent snapshot: it sees every write job
//   that finished before it was opened and nothing of any later one. A write job sees its own
//   writes at once, and the jobs of the store as if each ran alone, one after another.
// - A write job may run more than once. A backend with concurrent writers re-runs a job that
//   lost a conflict (one writer, as LMDB has, never does, but the core may not rely on it). So a
//   job captures what it needs by value, reads the facts it depends on through its view, and has
//   no effect outside the view (no clock reads, no signing, no I/O, no shared counters).
//   Its `done` runs once, with the outcome of the run that counted.
// - A job is atomic: if it returns an error (or throws), none of its writes happen, and the other
//   jobs committed with it are unaffected. `done` runs only once the outcome is durable.
// - Sequences come from the store: audit_append and ledger_append assign the next number, strictly
//   increasing with no gaps among committed entries (a job that rolls back gives its number back).
// - Writes sent ahead: license_insert, audit_append and outbox_append may answer success at once
//   and report a failure (conflict included) later, as the outcome of their job, which then fails
//   with it as if the call had answered it. A backend whose every statement is a round trip
//   (PostgreSQL) sends them with the job's next statement instead of waiting. So a job does not
//   branch on their errors; it passes them on.
// - Counters and indexes are the backend's job: license_put keeps every index of a license
//   (partner, customer, activation key, current token), customer_put those of a customer,
//   subscription_put the schedule. Callers never write an index.
// - Cursors are opaque: a page's `next` is to be handed back unchanged as `after`; a backend may
//   encode any position in it. A cursor the backend cannot read answers bad_request.
// - Errors: every call answers a result. storage_full (no room: map or disk full) and
//   storage_error (anything else the backend could not do) can come from any call; each method
//   lists the others. "Not found" is an empty optional, never an error.
// - Lifetimes: values are returned by copy; nothing points into the store. A view is valid only
//   inside the call that was given it (a write view) or while its owner holds it (a read view).
// - Threads: a store may be used from any thread. A view belongs to one thread at a time.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/records.hpp"
#include "licensor/result.hpp"
#include "metrics/metrics.hpp"
#include "subscription/records.hpp"

namespace licensor::store {

using server::api_key_record;
using server::customer_record;
using server::session_record;
using server::user_record;
using server::user_token_record;
using server::organisation_security_record;
using server::license_record;
using server::license_status;
using server::partner_record;
using server::webhook_endpoint_record;
using server::mail_settings_record;
using server::compliance_sweep_record;
using server::campaign_record;
using server::mail_template_record;
using server::product_record;
using server::subscription::ledger_entry;
using server::subscription::member_record;
using server::subscription::subscription_record;

/// A request for one page of a listing: at most `limit` items after the opaque cursor `after`
/// (empty: from the start).
struct page_request {
  std::size_t limit = 100;
  std::string after;
};

/// The direction a listing in time walks: oldest first to follow it (a cursor then always
/// finds what was added since), newest first to look at what happened last.
enum class order { oldest_first, newest_first };

/// One page; `next` is the cursor of the following page, empty on the last one.
template <class T>
struct page {
  std::vector<T> items;
  std::string next;
};

/// One entry of the append-only audit log.
struct audit_entry {
  std::uint64_t seq = 0;  ///< assigned by audit_append
  std::int64_t at = 0;
  std::string actor;
  std::string action;
  std::string target;
  nlohmann::json details = nlohmann::json::object();
  std::string request_id = {};  ///< the request that made the change (empty for the server's own jobs)
};

/// One event in the transactional outbox: written in the same job as the change it tells of, so
/// it exists if and only if that change committed (core/events.hpp gives it its shape).
struct outbox_event {
  std::uint64_t seq = 0;       ///< assigned by outbox_append: the outbox's order
  std::string id;              ///< "evt_…", unique
  std::string type;            ///< "license.issued", ...
  std::int64_t occurred_at = 0;
  std::string partner_id;      ///< whose event it is (empty: the vendor's own, e.g. a key rotation)
  std::string subject;         ///< what it is about ("license:lic_…"): events of one subject keep their order
  /// The object as the API shows it, as compact JSON text: kept as text, so that delivering
  /// an event splices it into the envelope without parsing it again.
  std::string data = "{}";
};

/// An event an endpoint has not had yet although its turn came: its last attempt failed, or an
/// earlier event of the same subject is still waiting (attempts 0), since events of one subject
/// reach an endpoint in order. Kept until delivered, or dead when its attempts run out.
struct delivery_pending {
  std::string endpoint_id;
  std::uint64_t seq = 0;          ///< the event's outbox seq
  std::string subject;            ///< the event's subject
  std::uint32_t attempts = 0;     ///< made so far
  std::int64_t next_attempt_at = 0;
  std::int64_t first_attempt_at = 0;
  std::string last_error;
};

/// One attempt to deliver an event to an endpoint, in the endpoint's delivery log.
struct delivery_attempt {
  std::string endpoint_id;
  std::string event_id;
  std::uint64_t event_seq = 0;
  std::string event_type;
  std::uint32_t attempt = 0;      ///< 1 first
  std::int64_t at = 0;
  int status = 0;                 ///< the HTTP status; 0 when none came (refused, timed out, TLS, DNS)
  std::uint32_t latency_ms = 0;
  std::string error;              ///< empty when delivered
  std::string outcome;            ///< "delivered", "retrying", "dead", "gone" (the endpoint was disabled)
  std::string recipient{};        ///< mail: the address written to
};

/// A license in the expiry index: by expiry time, then id. `position` is where a sweep that took
/// it stands (pass it back as `after`).
struct expiry_entry {
  std::int64_t expires_at = 0;
  std::string license_id;
  std::string position;
};

/// How many licenses there are of one status and kind.
struct license_tally {
  server::license_status status = server::license_status::active;
  license_kind kind = license_kind::paid;
  std::uint64_t count = 0;
};

/// What a backup holds, written beside it (manifest.json) and checked before a restore.
struct backup_manifest {
  std::int64_t taken_at = 0;  ///< Unix seconds
  std::string backend;        ///< "lmdb"
  int schema_version = 0;
  std::uint64_t bytes = 0;    ///< of the snapshot file
  std::string sha256;         ///< of the snapshot file, hex
  std::map<std::string, std::uint64_t> counts;  ///< records per collection ("licenses", "audit", ...)
};
void to_json(nlohmann::json& json, const backup_manifest& manifest);
/// Throws nlohmann::json::exception on a document that is not a manifest.
void from_json(const nlohmann::json& json, backup_manifest& manifest);

/// What a token this server issued is bound to (found by the token's hash, without a signature
/// check). `withdrawn`: the token belonged to a member who was removed; it answers for nothing.
struct token_binding {
  std::string license_id;
  std::string kid;
  std::string email;
  bool withdrawn = false;
};

/// A customer's free-license slot for one product: held by `license_id`, while it is linked
/// (`held_until` 0), or after it left until `held_until` (api: free_slots).
struct free_slot {
  std::string product;
  std::string license_id;
  std::int64_t held_until = 0;
};

/// A deleted free license's place under its partner's cap, held until `until`.
struct free_cap_hold {
  std::int64_t until = 0;
  std::string license_id;
};

/// A subscription queued for its term end.
struct schedule_entry {
  std::int64_t due = 0;
  std::string license_id;
};

/// The first answer to a request under an Idempotency-Key, kept for replays.
struct idempotency_record {
  std::string request_hash;
  unsigned status = 200;
  std::string body;  ///< JSON text
  std::int64_t at = 0;
};

/// The license an import made for one of a partner's rows (core/imports.hpp).
struct import_reference_entry {
  std::string partner_id;
  std::string external_id;
  std::string license_id;
};

/// Re-signing the licenses of a revoked key, in batches (core/keys.hpp): how far it got.
struct resign_task {
  std::string kid;  ///< the revoked key
  std::uint64_t licenses_resigned = 0;
  std::int64_t started_at = 0;
};

/// Filters of the partner ledger: entries at `from` <= at < `to` (0: unbounded).
struct ledger_period {
  std::int64_t from = 0;
  std::int64_t to = 0;
};

/// Licenses expiring at `from` <= expires_at <= `through` (0: unbounded).
struct expiry_range {
  std::int64_t from = 0;
  std::int64_t through = 0;
};

/// Records a job is about to read by id (empty: none of that kind), and a credential's records:
/// the API key of a secret's hash, and the operator token's hash.
struct read_ahead_ids {
  std::string_view partner = {};
  std::string_view product = {};
  std::string_view customer = {};
  std::string_view api_key_hash = {};
  bool operator_token = false;
  std::string_view token_hash = {};  ///< a token's binding, and the license it binds
};

class read_view {
 public:
  virtual ~read_view() = default;

  /// A hint: the records of `ids` are read next, so a backend may fetch them together (PostgreSQL:
  /// in one round trip). A following partner_get, product_get, customer_get, api_key_by_hash,
  /// operator_token_hash or token_binding_get of one of them, or license_get of the license the
  /// binding names, answers exactly what it would have answered without the hint.
  virtual void read_ahead(const read_ahead_ids& ids) const = 0;

  // -- meta
  [[nodiscard]] virtual result<std::optional<std::string>> operator_token_hash() const = 0;
  /// The highest keyring version an audit entry was written for (0: none yet).
  [[nodiscard]] virtual result<std::uint64_t> keyring_audited_version() const = 0;
  /// The signing keys replicas share (core/keyring_share.hpp): the document the last replica to
  /// publish wrote, as it wrote it; none before the first.
  [[nodiscard]] virtual result<std::optional<std::string>> keyring_shared() const = 0;
  /// How many licenses there are of each status and kind that has any (kept by license_insert,
  /// license_put and license_erase, so reading it costs no scan).
  [[nodiscard]] virtual result<std::vector<license_tally>> license_tallies() const = 0;

  // -- partners and their API keys
  [[nodiscard]] virtual result<std::optional<partner_record>> partner_get(std::string_view id) const = 0;
  [[nodiscard]] virtual result<page<partner_record>> partners_list(const page_request& page) const = 0;
  /// The key whose secret hashes to `secret_hash`.
  [[nodiscard]] virtual result<std::optional<api_key_record>> api_key_by_hash(std::string_view secret_hash) const = 0;
  /// The hash under which the key `key_id` is stored.
  [[nodiscard]] virtual result<std::optional<std::string>> api_key_hash_of(std::string_view key_id) const = 0;
  /// Every key of one organisation (`partner_id`; empty: the operators'), revoked ones too, oldest first.
  [[nodiscard]] virtual result<std::vector<api_key_record>> api_keys_list(std::string_view partner_id) const = 0;

  // -- people, sessions and their single-use tokens
  [[nodiscard]] virtual result<std::optional<user_record>> user_get(std::string_view id) const = 0;
  /// Every user with this (normalised) email, in any organisation.
  [[nodiscard]] virtual result<std::vector<user_record>> users_by_email(std::string_view email) const = 0;
  /// One organisation's users (user_organisation: a customer id, a partner id, or empty for the
  /// operators), oldest first. A partner's list does not include its customers' people.
  [[nodiscard]] virtual result<std::vector<user_record>> users_of(std::string_view organisation) const = 0;
  /// The session whose secret hashes to `secret_hash`.
  [[nodiscard]] virtual result<std::optional<session_record>> session_by_hash(std::string_view secret_hash) const = 0;
  /// A user's sessions, each with the hash it is stored under.
  [[nodiscard]] virtual result<std::vector<std::pair<std::string, session_record>>> sessions_of(std::string_view user_id) const = 0;
  [[nodiscard]] virtual result<std::optional<user_token_record>> user_token_get(std::string_view token_hash) const = 0;
  /// An organisation's sign-in policy (`partner_id`; empty: the operators'); the defaults when never set.
  [[nodiscard]] virtual result<organisation_security_record> organisation_security_get(std::string_view partner_id) const = 0;

  // -- customers
  [[nodiscard]] virtual result<std::optional<customer_record>> customer_get(std::string_view id) const = 0;
  /// The id of the customer registered with `email` (normalised).
  [[nodiscard]] virtual result<std::optional<std::string>> customer_id_by_email(std::string_view email) const = 0;
  /// Every customer (empty `partner_id`) or one partner's, in the order they were registered
  /// (their ids), `direction` first.
  [[nodiscard]] virtual result<page<customer_record>> customers_list(std::string_view partner_id, const page_request& page,
                                                                     order direction) const = 0;
  /// Every customer (empty `partner_id`) or one partner's with a search text
  /// (domain/search_text.hpp: email, name, VAT number) that starts with `folded_prefix`, through
  /// an index: ordered by the first such text, each customer once.
  [[nodiscard]] virtual result<page<customer_record>> customers_search(std::string_view partner_id,
                                                                       std::string_view folded_prefix,
                                                                       const page_request& page) const = 0;
  /// How many licenses are linked to the customer, counted through an index (no record read).
  [[nodiscard]] virtual result<std::uint64_t> customer_licenses_count(std::string_view customer_id) const = 0;

  // -- products
  [[nodiscard]] virtual result<std::optional<product_record>> product_get(std::string_view id) const = 0;
  [[nodiscard]] virtual result<page<product_record>> products_list(const page_request& page) const = 0;

  // -- licenses
  [[nodiscard]] virtual result<std::optional<license_record>> license_get(std::string_view id) const = 0;
  /// Every license of one customer, in a stable order (a customer has few).
  [[nodiscard]] virtual result<std::vector<license_record>> licenses_of_customer(std::string_view customer_id) const = 0;
  /// The license with this activation key (canonical form).
  [[nodiscard]] virtual result<std::optional<std::string>> license_id_by_activation_key(std::string_view canonical) const = 0;
  /// Every license (empty `partner_id`) or one partner's, in the order they were issued (their
  /// ids), `direction` first.
  [[nodiscard]] virtual result<page<license_record>> licenses_list(std::string_view partner_id, const page_request& page,
                                                                   order direction) const = 0;
  /// Every license (empty `partner_id`) or one partner's whose email, folded
  /// (domain/search_text.hpp), starts with `folded_prefix`, through an index: ordered by email.
  [[nodiscard]] virtual result<page<license_record>> licenses_by_email(std::string_view partner_id,
                                                                       std::string_view folded_prefix,
                                                                       const page_request& page) const = 0;
  /// Every license (empty `partner_id`) or one partner's in `status`, through an index, in the
  /// order they were issued, `direction` first.
  [[nodiscard]] virtual result<page<license_record>> licenses_by_status(std::string_view partner_id, license_status status,
                                                                        const page_request& page, order direction) const = 0;
  /// Every license (empty `partner_id`) or one partner's whose expiry is within `range`, through
  /// an index: ordered by expiry, then id, `direction` first (oldest first: the soonest expiry
  /// first). A license that never expires counts as expiring after every time, so a range with
  /// an end (`through`) leaves it out.
  [[nodiscard]] virtual result<page<license_record>> licenses_by_expires(std::string_view partner_id, const expiry_range& range,
                                                                         const page_request& page, order direction) const = 0;
  /// Up to `limit` ids of licenses whose current token `kid` signed (in no particular order).
  [[nodiscard]] virtual result<std::vector<std::string>> licenses_signed_by(std::string_view kid,
                                                                           std::size_t limit) const = 0;
  /// How many licenses' current token `kid` signed: what revoking it re-signs. Counted through
  /// the same index, so its cost grows with the count (about 0.1 s per million in LMDB).
  [[nodiscard]] virtual result<std::uint64_t> licenses_signed_count(std::string_view kid) const = 0;
  /// The binding of a token by its hash (server::hash_hex of the token).
  [[nodiscard]] virtual result<std::optional<token_binding>> token_binding_get(std::string_view token_hash) const = 0;

  // -- free-license slots and the partner's cap
  [[nodiscard]] virtual result<std::optional<free_slot>> free_slot_get(std::string_view customer_id,
                                                                       std::string_view product) const = 0;
  [[nodiscard]] virtual result<std::vector<free_slot>> free_slots_of(std::string_view customer_id) const = 0;
  /// Free licenses counted under the partner's cap (holds included until they are released).
  [[nodiscard]] virtual result<std::uint32_t> free_cap_count(std::string_view partner_id) const = 0;
  /// The partner's cap holds with until < `before`, earliest first, at most `limit`.
  [[nodiscard]] virtual result<std::vector<free_cap_hold>> free_cap_holds_before(std::string_view partner_id,
                                                                                 std::int64_t before,
                                                                                 std::size_t limit) const = 0;

  // -- subscriptions, members, ledger, schedule
  [[nodiscard]] virtual result<std::optional<subscription_record>> subscription_get(std::string_view license_id) const = 0;
  [[nodiscard]] virtual result<std::optional<member_record>> member_get(std::string_view license_id,
                                                                        std::string_view email) const = 0;
  /// The license's members, ordered by email.
  [[nodiscard]] virtual result<std::vector<member_record>> members_of(std::string_view license_id) const = 0;
  [[nodiscard]] virtual result<std::uint32_t> members_count(std::string_view license_id) const = 0;
  /// A license's ledger, oldest first.
  [[nodiscard]] virtual result<page<ledger_entry>> ledger_of(std::string_view license_id,
                                                             const page_request& page) const = 0;
  /// A partner's ledger in `period`, by time then license then sequence.
  [[nodiscard]] virtual result<page<ledger_entry>> partner_ledger(std::string_view partner_id, const ledger_period& period,
                                                                  const page_request& page) const = 0;
  /// Subscriptions due at or before `now`, earliest first, at most `limit`.
  [[nodiscard]] virtual result<std::vector<schedule_entry>> schedule_due(std::int64_t now, std::size_t limit) const = 0;

  // -- re-signing after a revocation
  /// Every unfinished task, oldest first.
  [[nodiscard]] virtual result<std::vector<resign_task>> resign_tasks() const = 0;

  // -- audit and idempotency
  /// The audit log in seq order, `direction` first; a cursor continues in the same direction.
  [[nodiscard]] virtual result<page<audit_entry>> audit_list(const page_request& page, order direction) const = 0;
  /// Outbox events with seq > `after_seq`, in seq order, at most `limit`.
  [[nodiscard]] virtual result<std::vector<outbox_event>> outbox_after(std::uint64_t after_seq, std::size_t limit) const = 0;
  [[nodiscard]] virtual result<std::optional<idempotency_record>> idempotency_get(std::string_view scope) const = 0;
  /// Licenses that expire (expires_at not 0), in order of expiry then id, after the position
  /// `after` (empty: from the first) and at or before `through`; at most `limit`.
  [[nodiscard]] virtual result<std::vector<expiry_entry>> licenses_by_expiry(std::string_view after, std::int64_t through,
                                                                             std::size_t limit) const = 0;
  /// Where the sweep `name` stands (empty before its first run).
  [[nodiscard]] virtual result<std::string> sweep_position(std::string_view name) const = 0;
  /// Where the compliance sweep stands (a default record before its first run).
  [[nodiscard]] virtual result<compliance_sweep_record> compliance_sweep_get() const = 0;
  [[nodiscard]] virtual result<std::optional<campaign_record>> campaign_get(std::string_view id) const = 0;
  /// Every campaign, oldest first (an operator defines a few a year).
  [[nodiscard]] virtual result<std::vector<campaign_record>> campaigns_list() const = 0;
  /// The license an import made for the partner's row `external_id` (core/imports.hpp), if any.
  [[nodiscard]] virtual result<std::optional<std::string>> import_reference(std::string_view partner_id,
                                                                           std::string_view external_id) const = 0;
  /// The newest event's seq (0 when none was ever written). Pruning keeps the newest event, so
  /// numbers never restart.
  [[nodiscard]] virtual result<std::uint64_t> outbox_last_seq() const = 0;
  /// The partner's newest outbox events (those whose partner_id is `partner_id`, not empty),
  /// newest first, at most `limit`: its recent activity, as long as the outbox keeps them.
  [[nodiscard]] virtual result<std::vector<outbox_event>> partner_events_recent(std::string_view partner_id,
                                                                               std::size_t limit) const = 0;
  /// The outbox event with id `event_id` (until it is pruned).
  [[nodiscard]] virtual result<std::optional<outbox_event>> outbox_event_by_id(std::string_view event_id) const = 0;

  // -- what only moving a store reads (core/store_move.hpp): every record of a collection that
  //    is otherwise found only by its key. Each in key order.
  [[nodiscard]] virtual result<page<std::pair<std::string, token_binding>>> token_bindings_list(
      const page_request& page) const = 0;
  [[nodiscard]] virtual result<page<std::pair<std::string, user_token_record>>> user_tokens_list(
      const page_request& page) const = 0;
  [[nodiscard]] virtual result<page<std::pair<std::string, idempotency_record>>> idempotency_list(
      const page_request& page) const = 0;
  /// By partner, then external id.
  [[nodiscard]] virtual result<page<import_reference_entry>> import_references_list(const page_request& page) const = 0;
  /// Every sweep's position (name, position), by name.
  [[nodiscard]] virtual result<std::vector<std::pair<std::string, std::string>>> sweep_positions() const = 0;

  // -- webhooks (core/webhooks.hpp)
  [[nodiscard]] virtual result<std::optional<webhook_endpoint_record>> webhook_endpoint_get(std::string_view id) const = 0;
  /// Every endpoint, operators' and partners', by id.
  [[nodiscard]] virtual result<std::vector<webhook_endpoint_record>> webhook_endpoints() const = 0;
  /// The endpoint's waiting events, in seq order, at most `limit`.
  [[nodiscard]] virtual result<std::vector<delivery_pending>> deliveries_pending(std::string_view endpoint_id,
                                                                                 std::size_t limit) const = 0;
  /// The seq of the endpoint's first waiting event of `subject`, if any: later events of the
  /// subject wait behind it.
  [[nodiscard]] virtual result<std::optional<std::uint64_t>> delivery_subject_head(std::string_view endpoint_id,
                                                                                  std::string_view subject) const = 0;
  /// The endpoint's delivery log, newest first.
  [[nodiscard]] virtual result<page<delivery_attempt>> delivery_log(std::string_view endpoint_id,
                                                                    const page_request& page) const = 0;

  // -- mail (core/mail_templates.hpp, core/mail_settings.hpp)
  /// The mail settings (all empty until an operator sets them).
  [[nodiscard]] virtual result<mail_settings_record> mail_settings_get() const = 0;
  /// The operator's replacement of template `name` in `language`, if any.
  [[nodiscard]] virtual result<std::optional<mail_template_record>> mail_template_get(std::string_view name,
                                                                                     std::string_view language) const = 0;
  /// Every replaced template, by name then language.
  [[nodiscard]] virtual result<std::vector<mail_template_record>> mail_templates() const = 0;
};

class write_view : public read_view {
 public:
  // -- meta
  [[nodiscard]] virtual result<void> operator_token_hash_set(std::string_view hash) = 0;
  [[nodiscard]] virtual result<void> keyring_audited_version_set(std::uint64_t version) = 0;
  [[nodiscard]] virtual result<void> keyring_shared_set(std::string_view document) = 0;

  // -- partners and their API keys
  [[nodiscard]] virtual result<void> partner_put(const partner_record& partner) = 0;
  /// Errors: conflict when a key with this hash exists.
  [[nodiscard]] virtual result<void> api_key_insert(std::string_view secret_hash, const api_key_record& key) = 0;
  [[nodiscard]] virtual result<void> api_key_put(std::string_view secret_hash, const api_key_record& key) = 0;

  // -- people, sessions and their single-use tokens
  /// Errors: conflict when the organisation (user_organisation) already has a user with this email.
  [[nodiscard]] virtual result<void> user_insert(const user_record& user) = 0;
  /// Errors: not_found; conflict when the email or organisation would change (they never do).
  [[nodiscard]] virtual result<void> user_put(const user_record& user) = 0;
  [[nodiscard]] virtual result<void> session_put(std::string_view secret_hash, const session_record& session) = 0;
  /// Removing one that is gone is not an error.
  [[nodiscard]] virtual result<void> session_erase(std::string_view secret_hash) = 0;
  [[nodiscard]] virtual result<void> user_token_put(std::string_view token_hash, const user_token_record& token) = 0;
  [[nodiscard]] virtual result<void> user_token_erase(std::string_view token_hash) = 0;
  [[nodiscard]] virtual result<void> organisation_security_put(std::string_view partner_id,
                                                               const organisation_security_record& security) = 0;

  // -- customers
  /// Registers a new customer and its email. Errors: conflict when the email is registered.
  [[nodiscard]] virtual result<void> customer_insert(const customer_record& customer) = 0;
  /// Updates a stored customer (its partner may change; its email may not).
  /// Errors: not_found when it is not stored, conflict when the email differs.
  [[nodiscard]] virtual result<void> customer_put(const customer_record& customer) = 0;
  /// Removes a customer and its email. Removing an absent one is not an error.
  [[nodiscard]] virtual result<void> customer_erase(std::string_view id) = 0;

  // -- products
  /// Errors: conflict when a product with this id exists.
  [[nodiscard]] virtual result<void> product_insert(const product_record& product) = 0;
  [[nodiscard]] virtual result<void> product_put(const product_record& product) = 0;

  // -- licenses
  /// Stores a new license with its indexes. Errors: conflict when its id or activation key is taken.
  [[nodiscard]] virtual result<void> license_insert(const license_record& license) = 0;
  /// Stores a changed license and moves its indexes to match (customer link, signing key, current
  /// token; the activation key and partner do not change). Tokens indexed earlier stay indexed: they still
  /// answer for the license. Errors: not_found when it is not stored.
  [[nodiscard]] virtual result<void> license_put(const license_record& license) = 0;
  /// Removes a license and its indexes (its tokens' bindings stay, answering for nothing).
  [[nodiscard]] virtual result<void> license_erase(std::string_view id) = 0;
  /// Binds a token (a member's) to a license, or marks an earlier binding withdrawn.
  [[nodiscard]] virtual result<void> token_binding_put(std::string_view token_hash, const token_binding& binding) = 0;

  // -- free-license slots and the partner's cap
  [[nodiscard]] virtual result<void> free_slot_put(std::string_view customer_id, const free_slot& slot) = 0;
  [[nodiscard]] virtual result<void> free_slot_erase(std::string_view customer_id, std::string_view product) = 0;
  /// Adds `delta` to the partner's count. Errors: internal when it would go negative.
  [[nodiscard]] virtual result<void> free_cap_count_add(std::string_view partner_id, std::int64_t delta) = 0;
  [[nodiscard]] virtual result<void> free_cap_hold_put(std::string_view partner_id, const free_cap_hold& hold) = 0;
  [[nodiscard]] virtual result<void> free_cap_hold_erase(std::string_view partner_id, const free_cap_hold& hold) = 0;

  // -- subscriptions, members, ledger, schedule
  /// Stores the terms and queues them for `due` (0: not queued), replacing any earlier entry;
  /// sets sub.schedule_due to `due`.
  [[nodiscard]] virtual result<void> subscription_put(subscription_record& sub, std::int64_t due) = 0;
  /// Removes the terms and their schedule entry.
  [[nodiscard]] virtual result<void> subscription_erase(std::string_view license_id) = 0;
  /// Removes a schedule entry (one whose subscription is gone).
  [[nodiscard]] virtual result<void> schedule_erase(const schedule_entry& entry) = 0;
  /// Errors: conflict when the email is a member already.
  [[nodiscard]] virtual result<void> member_insert(std::string_view license_id, const member_record& member) = 0;
  [[nodiscard]] virtual result<void> member_put(std::string_view license_id, const member_record& member) = 0;
  [[nodiscard]] virtual result<void> member_erase(std::string_view license_id, std::string_view email) = 0;
  /// Appends to the license's ledger and the partner's: sets entry.seq to the next number of
  /// that license's ledger (1 for its first entry) and returns it.
  [[nodiscard]] virtual result<std::uint64_t> ledger_append(ledger_entry& entry) = 0;

  // -- re-signing after a revocation
  /// Creates or updates the task of task.kid.
  [[nodiscard]] virtual result<void> resign_task_put(const resign_task& task) = 0;
  [[nodiscard]] virtual result<void> resign_task_erase(std::string_view kid) = 0;

  // -- audit and idempotency
  /// Appends an entry: sets entry.seq to the next number of the log (1 first) and returns it.
  [[nodiscard]] virtual result<std::uint64_t> audit_append(audit_entry& entry) = 0;
  /// Appends an event to the outbox: sets event.seq to the next number (1 first, strictly
  /// increasing, no gaps among committed events) and returns it.
  [[nodiscard]] virtual result<std::uint64_t> outbox_append(outbox_event& event) = 0;
  /// Stores an event moved from another store under the seq it had there (so that endpoints'
  /// cursors and waiting events still name it); later appends continue after it.
  /// Errors: conflict when the outbox holds an event at or after event.seq, or one with its id.
  [[nodiscard]] virtual result<void> outbox_restore(const outbox_event& event) = 0;
  [[nodiscard]] virtual result<void> idempotency_put(std::string_view scope, const idempotency_record& record) = 0;
  /// Removes up to `limit` records written before `before`, oldest first.
  [[nodiscard]] virtual result<void> idempotency_prune(std::int64_t before, std::size_t limit) = 0;
  /// Removes outbox events, oldest first, up to `limit` of them, while their seq is at most
  /// `through_seq` and they occurred before `before`; never the newest event. Returns how many
  /// it removed.
  [[nodiscard]] virtual result<std::size_t> outbox_prune(std::uint64_t through_seq, std::int64_t before,
                                                         std::size_t limit) = 0;

  [[nodiscard]] virtual result<void> sweep_position_set(std::string_view name, std::string_view position) = 0;
  [[nodiscard]] virtual result<void> compliance_sweep_put(const compliance_sweep_record& sweep) = 0;
  /// Creates or replaces the campaign `campaign.id`.
  [[nodiscard]] virtual result<void> campaign_put(const campaign_record& campaign) = 0;
  /// Records that the partner's import row `external_id` made `license_id`.
  [[nodiscard]] virtual result<void> import_reference_put(std::string_view partner_id, std::string_view external_id,
                                                          std::string_view license_id) = 0;

  // -- webhooks
  /// Creates or replaces the endpoint `endpoint.id`.
  [[nodiscard]] virtual result<void> webhook_endpoint_put(const webhook_endpoint_record& endpoint) = 0;
  /// Removes the endpoint with its waiting events and its delivery log.
  [[nodiscard]] virtual result<void> webhook_endpoint_erase(std::string_view id) = 0;
  /// Creates or replaces the waiting event (endpoint_id, seq).
  [[nodiscard]] virtual result<void> delivery_pending_put(const delivery_pending& pending) = 0;
  [[nodiscard]] virtual result<void> delivery_pending_erase(const delivery_pending& pending) = 0;
  /// Adds to the endpoint's log (one record: the log is written for every delivery, beside
  /// issuance, so it costs one write). An attempt of the same event with the same number in the
  /// same second replaces the earlier one.
  [[nodiscard]] virtual result<void> delivery_log_append(const delivery_attempt& attempt) = 0;
  /// Removes up to `limit` log entries made before `before`. Returns how many it removed.
  [[nodiscard]] virtual result<std::size_t> delivery_log_prune(std::int64_t before, std::size_t limit) = 0;

  // -- mail
  [[nodiscard]] virtual result<void> mail_settings_put(const mail_settings_record& settings) = 0;
  /// Creates or replaces the template (name, language).
  [[nodiscard]] virtual result<void> mail_template_put(const mail_template_record& replaced) = 0;
  [[nodiscard]] virtual result<void> mail_template_erase(std::string_view name, std::string_view language) = 0;
};

class store {
 public:
  using job = std::function<result<void>(write_view&)>;
  using done = std::function<void(result<void>)>;

  virtual ~store() = default;

  /// A consistent snapshot for reading.
  [[nodiscard]] virtual result<std::unique_ptr<read_view>> read() const = 0;

  /// Runs `work` in a write transaction, possibly more than once (see the contract), and calls
  /// `on_done` once with its outcome when it is durable (or failed). `on_done` runs on a store
  /// thread and must be quick. May be called from any thread.
  virtual void submit(job work, done on_done) = 0;

  /// Makes every committed job durable (at shutdown).
  virtual void sync() noexcept = 0;

  /// Writes the backend's own families for GET /metrics (its commits: batch sizes and
  /// latency; its size). Quick; from any thread.
  virtual void metrics_write(metrics::exposition& out) const = 0;

  /// Writes a consistent snapshot of every committed job into the directory `dir` (created; it
  /// must not exist) while writes go on, with its manifest.json, and returns the manifest.
  /// Errors: conflict when `dir` exists, io_error, storage_*.
  [[nodiscard]] virtual result<backup_manifest> backup(const std::filesystem::path& dir) const = 0;
};

/// Submits `work` and waits until it is durable or failed: for the server's own threads (jobs),
/// never for a request thread.
[[nodiscard]] result<void> submit_wait(store& target, store::job work);

}  // namespace licensor::store
