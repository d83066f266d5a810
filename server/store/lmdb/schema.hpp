// The store's sub-databases and schema version. Keys are chosen so that every listing is a
// prefix scan: "<partner>/<customer>" in partner_customers, and so on.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "domain/records.hpp"
#include "store/lmdb/lmdb.hpp"

namespace licensor::store {

namespace db {
inline constexpr const char* meta = "meta";                            // schema_version, operator token hash, organisations' security
inline constexpr const char* partners = "partners";                    // partner id -> partner
inline constexpr const char* api_keys = "api_keys";                    // hash(api key) -> api key record
inline constexpr const char* customers = "customers";                  // customer id -> customer
inline constexpr const char* customer_emails = "customer_emails";      // email -> customer id
inline constexpr const char* products = "products";                    // product id -> product
inline constexpr const char* licenses = "licenses";                    // license id -> license
inline constexpr const char* activation_keys = "activation_keys";      // canonical key -> license id
inline constexpr const char* token_hashes = "token_hashes";            // hash(token) -> "license kid email"
inline constexpr const char* kid_licenses = "kid_licenses";            // kid/license -> "" (the current token's key)
inline constexpr const char* license_expiry = "license_expiry";        // 16-hex expires_at/license -> "" (expiring licenses only)
inline constexpr const char* partner_customers = "partner_customers";  // partner/customer -> ""
inline constexpr const char* partner_licenses = "partner_licenses";    // partner/license -> ""
inline constexpr const char* customer_licenses = "customer_licenses";  // customer/license -> ""
// search (domain/search_text.hpp): each entry twice, under its partner and under "" (everyone's)
inline constexpr const char* customer_search = "customer_search";      // partner/folded text/customer -> ""
inline constexpr const char* license_emails = "license_emails";        // partner/folded email/license -> ""
inline constexpr const char* license_statuses = "license_statuses";    // partner/status/license -> ""
inline constexpr const char* license_expiries = "license_expiries";    // partner/16-hex expires_at (never: f...f)/license -> ""
inline constexpr const char* free_licenses = "free_licenses";          // customer/product -> license id, or ~until/license id
inline constexpr const char* free_cap_holds = "free_cap_holds";        // partner/16-hex until/license -> "" (api/free_slots.hpp)
inline constexpr const char* counters = "counters";                    // name -> decimal count
inline constexpr const char* audit = "audit";                          // 16 hex digit seq -> entry
inline constexpr const char* idempotency = "idempotency";              // caller \n key -> response
inline constexpr const char* idempotency_expiry = "idempotency_expiry"; // 16-hex at/caller \n key -> ""
// subscriptions (docs/subscriptions.md)
inline constexpr const char* subscriptions = "subscriptions";          // license id -> subscription terms
inline constexpr const char* ledger = "ledger";                        // license/16-hex seq -> ledger entry
inline constexpr const char* partner_ledger = "partner_ledger";        // partner/16-hex at/license/seq -> ""
inline constexpr const char* members = "members";                      // license/email -> member
inline constexpr const char* schedule = "schedule";                    // 16-hex due/license -> ""
// people (core/people.hpp)
inline constexpr const char* users = "users";                          // user id -> user
inline constexpr const char* user_emails = "user_emails";              // email/user -> "" (one email, several organisations)
inline constexpr const char* org_users = "org_users";                  // partner (or "-": operators)/user -> ""
inline constexpr const char* sessions = "sessions";                    // hash(session secret) -> session
inline constexpr const char* user_sessions = "user_sessions";          // user/hash -> ""
inline constexpr const char* user_tokens = "user_tokens";              // hash(token) -> single-use token
// the transactional outbox (core/events.hpp)
inline constexpr const char* outbox = "outbox";                        // 16-hex seq -> event
inline constexpr const char* outbox_ids = "outbox_ids";                // event id -> 16-hex seq
inline constexpr const char* partner_events = "partner_events";        // partner/16-hex (max - seq) -> "" (newest first)
// webhooks (core/webhooks.hpp)
inline constexpr const char* webhook_endpoints = "webhook_endpoints";  // endpoint id -> endpoint
inline constexpr const char* deliveries = "deliveries";                // endpoint/16-hex seq -> waiting event
inline constexpr const char* delivery_subjects = "delivery_subjects";  // endpoint/subject/16-hex seq -> ""
inline constexpr const char* delivery_log = "delivery_log";            // endpoint/(max - at)/(max - event seq)/(max - attempt), 16-hex each -> attempt (newest first)
}  // namespace db

/// 2: idempotency records carry their time and are indexed by it; answers with secrets are gone.
/// 3: free licenses' tokens expire and a free license that leaves holds its slots until they do
///    (free_cap_holds; holds in free_licenses). Nothing to convert: an older binary must not
///    open it, as it would release held slots.
/// 4: licenses are indexed by the key that signed their current token (kid_licenses), so that
///    re-signing after a revocation reads only what it changes; built from the licenses.
/// 5: people, their sessions and single-use tokens (new sub-databases, nothing to convert).
/// 6: licenses are counted by status and kind in counters (license_tally_key), counted from
///    the licenses.
/// 7: the transactional outbox (a new sub-database, nothing to convert).
/// 8: webhook endpoints and their deliveries; outbox events are indexed by id (built from the
///    outbox).
/// 9: licenses that expire are indexed by expiry (built from the licenses), for the expiry sweep.
/// 10: the mail channel (a delivery endpoint whose deliveries are e-mails) and mail templates
///    and settings in meta. Nothing to convert: an older binary must not open it, as it would
///    take the mail channel for a webhook endpoint.
/// 11: outbox events are stored as a head, a newline and their data's text. Events written
///    before are read as they are; an older binary must not open it, as it could not read the new.
/// 12: customers are indexed by their search texts, licenses by email and by status, under their
///    partner and under everyone's (customer_search, license_emails, license_statuses), built from
///    the records.
/// 13: a partner's outbox events are indexed by partner, newest first (partner_events), for its
///    recent activity. Nothing is built: events written before are in no partner's activity
///    (the outbox keeps only recent events anyway); an older binary must not open it, as it would
///    leave its events out of the index.
/// 14: licenses are indexed by expiry under their partner and under everyone's
///    (license_expiries), a license that never expires after every other, built from the records.
/// 15: a durable store keeps a redo log (redo_log.hpp) and its data file may lag behind it.
///    Nothing to convert: an older binary must not open it, as it would not replay the log.
inline constexpr int schema_version = 15;

/// The keys of `customer`'s entries in customer_search, and of `license`'s in license_emails,
/// license_statuses and license_expiries.
[[nodiscard]] std::vector<std::string> customer_search_keys(const server::customer_record& customer);
[[nodiscard]] std::vector<std::string> license_email_keys(const server::license_record& license);
[[nodiscard]] std::vector<std::string> license_status_keys(const server::license_record& license);
[[nodiscard]] std::vector<std::string> license_expires_keys(const server::license_record& license);

/// Every sub-database, in the order they are opened.
[[nodiscard]] const std::vector<std::string>& store_databases();

/// The expiry index's key of a license: "<16-hex expires_at>/<id>".
[[nodiscard]] std::string license_expiry_key(std::int64_t expires_at, std::string_view license_id);

/// The counter of licenses with one status and kind: "licenses/<status>/<kind>".
[[nodiscard]] std::string license_tally_key(std::string_view status, std::string_view kind);
inline constexpr std::string_view license_tally_prefix = "licenses/";

struct store_options {
  std::size_t map_size_bytes = std::size_t{64} << 30;  // address space, not disk
  bool durable = true;
};

/// Opens the store in `dir`, creating it (mode 0700) and recording the schema version on first
/// use, and migrates an older schema in one write transaction. An existing `dir` keeps its mode.
/// A durable store is opened with its redo log: the log is replayed and checkpointed, and the
/// environment keeps it; when another process keeps it, the environment only reads (writes
/// fail) and the schema must be this binary's.
/// Errors: schema_too_new when a newer Licensor wrote the data, storage_* from LMDB.
[[nodiscard]] result<std::unique_ptr<lmdb_env>> store_open(const std::filesystem::path& dir,
                                                           const store_options& options);

}  // namespace licensor::store
