// The port's views over one PostgreSQL transaction: every table and statement of the store lives
// in pg_views.cpp and pg_schema.cpp. Internal to store/pg/.
//
// A statement that fails aborts the transaction, so the view remembers the first failure and
// answers it to every later call; the store's runner reads failure() to decide whether the job
// runs again (a serialization failure), fails, or left its outcome unknown (a lost connection).
//
// Round trips are the writer's cost (one writer connection runs every job of a replica), so a
// write view saves them where the port allows (store.hpp, "Writes sent ahead"):
// - license_insert, audit_append and outbox_append are sent ahead: they wait for the job's next
//   statement that needs an answer, and travel with it in one round trip; those still waiting at
//   the job's end go with the next job's first round trip (carried), or with the last job's end
//   (settle). Their failure becomes the view's, so the job fails with it (a carried one: the
//   previous job, whose failure the runner then handles).
// - audit and outbox numbers are given out by the view from the sequence's value read once per
//   batch (pg_numbering); each numbered insert fails in the database unless the sequence's row
//   held the number before it, so a wrong number can never be stored.
// - A write sent ahead that fails makes the database skip every statement after it in its round
//   trip (the runner's savepoint commands included), so nothing of the job survives it.
// - read_ahead reads a partner, product and customer in one round trip.
//
// Thread safety: as the connection (one thread at a time).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/pg/pg_connection.hpp"
#include "store/store.hpp"

namespace licensor::store {

/// The last number each sequence (audit, outbox) gave out in the writer's open transaction, as
/// far as its jobs have numbered. The runner keeps one per transaction: a job rolled back gives
/// its numbers back (the runner restores the copy it took before the job), and a transaction run
/// again starts from an empty one.
struct pg_numbering {
  std::map<std::string, std::uint64_t, std::less<>> last;
};

class pg_view final : public write_view {
 public:
  /// A write view of the transaction open on `conn`, numbering from `numbering`; both must
  /// outlive the view. `carried`: the previous job's writes not sent yet (and the savepoint
  /// commands between the jobs), which go with this view's first round trip.
  pg_view(pg_connection& conn, pg_numbering& numbering, std::vector<pg_statement> carried = {})
      : conn_(conn), numbering_(&numbering), ahead_(std::move(carried)), carried_(ahead_.size()) {}
  /// Views the transaction open on `conn` and keeps `owner` (what ends the transaction and gives
  /// the connection back) until the view goes: a read view handed out on its own.
  pg_view(pg_connection& conn, std::shared_ptr<void> owner) : owner_(std::move(owner)), conn_(conn) {}

  /// What the first failed statement was (none while every statement succeeded), and its error.
  [[nodiscard]] pg_failure failure() const { return failure_; }
  [[nodiscard]] errc failed() const { return failed_; }
  /// Sends the writes sent ahead that still wait (the batch's last job's), in one round trip. A
  /// failure among them becomes the view's.
  void settle();
  /// Sends what was carried in, alone, if the job made no round trip that took it.
  void settle_carried();
  /// The error of a carried statement that failed (the previous job's), if one did: then this
  /// view's statements did not run either, and the view answers that error.
  [[nodiscard]] std::optional<errc> carried_failed() const { return carried_failed_; }
  /// The writes sent ahead that still wait, to be carried into the next job's view (after
  /// settle_carried).
  [[nodiscard]] std::vector<pg_statement> ahead_take() { return std::move(ahead_); }

  void read_ahead(const read_ahead_ids& ids) const override;

  result<std::optional<std::string>> operator_token_hash() const override;
  result<std::uint64_t> keyring_audited_version() const override;
  result<std::optional<std::string>> keyring_shared() const override;
  result<std::vector<license_tally>> license_tallies() const override;
  result<std::optional<partner_record>> partner_get(std::string_view id) const override;
  result<page<partner_record>> partners_list(const page_request& page) const override;
  result<std::optional<api_key_record>> api_key_by_hash(std::string_view secret_hash) const override;
  result<std::vector<api_key_record>> api_keys_list(std::string_view partner_id) const override;
  result<std::optional<user_record>> user_get(std::string_view id) const override;
  result<std::vector<user_record>> users_by_email(std::string_view email) const override;
  result<std::vector<user_record>> users_of(std::string_view organisation) const override;
  result<std::optional<session_record>> session_by_hash(std::string_view secret_hash) const override;
  result<std::vector<std::pair<std::string, session_record>>> sessions_of(std::string_view user_id) const override;
  result<std::optional<user_token_record>> user_token_get(std::string_view token_hash) const override;
  result<organisation_security_record> organisation_security_get(std::string_view partner_id) const override;
  result<void> user_insert(const user_record& user) override;
  result<void> user_put(const user_record& user) override;
  result<void> session_put(std::string_view secret_hash, const session_record& session) override;
  result<void> session_erase(std::string_view secret_hash) override;
  result<void> user_token_put(std::string_view token_hash, const user_token_record& token) override;
  result<void> user_token_erase(std::string_view token_hash) override;
  result<void> organisation_security_put(std::string_view partner_id, const organisation_security_record& security) override;
  result<std::optional<std::string>> api_key_hash_of(std::string_view key_id) const override;
  result<std::optional<customer_record>> customer_get(std::string_view id) const override;
  result<std::optional<std::string>> customer_id_by_email(std::string_view email) const override;
  result<page<customer_record>> customers_list(std::string_view partner_id, const page_request& page,
                                               order direction) const override;
  result<page<customer_record>> customers_search(std::string_view partner_id, std::string_view folded_prefix,
                                                 const page_request& page) const override;
  result<std::uint64_t> customer_licenses_count(std::string_view customer_id) const override;
  result<std::vector<license_record>> licenses_of_customer(std::string_view customer_id) const override;
  result<std::optional<product_record>> product_get(std::string_view id) const override;
  result<page<product_record>> products_list(const page_request& page) const override;
  result<std::optional<license_record>> license_get(std::string_view id) const override;
  result<std::optional<std::string>> license_id_by_activation_key(std::string_view canonical) const override;
  result<page<license_record>> licenses_list(std::string_view partner_id, const page_request& page,
                                             order direction) const override;
  result<page<license_record>> licenses_by_email(std::string_view partner_id, std::string_view folded_prefix,
                                                 const page_request& page) const override;
  result<page<license_record>> licenses_by_status(std::string_view partner_id, license_status status,
                                                  const page_request& page, order direction) const override;
  result<page<license_record>> licenses_by_expires(std::string_view partner_id, const expiry_range& range,
                                                   const page_request& page, order direction) const override;
  result<std::vector<std::string>> licenses_signed_by(std::string_view kid, std::size_t limit) const override;
  result<std::uint64_t> licenses_signed_count(std::string_view kid) const override;
  result<std::vector<outbox_event>> partner_events_recent(std::string_view partner_id, std::size_t limit) const override;
  result<std::optional<token_binding>> token_binding_get(std::string_view token_hash) const override;
  result<std::optional<free_slot>> free_slot_get(std::string_view customer_id, std::string_view product) const override;
  result<std::vector<free_slot>> free_slots_of(std::string_view customer_id) const override;
  result<std::uint32_t> free_cap_count(std::string_view partner_id) const override;
  result<std::vector<free_cap_hold>> free_cap_holds_before(std::string_view partner_id, std::int64_t before,
                                                           std::size_t limit) const override;
  result<std::optional<subscription_record>> subscription_get(std::string_view license_id) const override;
  result<std::optional<member_record>> member_get(std::string_view license_id, std::string_view email) const override;
  result<std::vector<member_record>> members_of(std::string_view license_id) const override;
  result<std::uint32_t> members_count(std::string_view license_id) const override;
  result<page<ledger_entry>> ledger_of(std::string_view license_id, const page_request& page) const override;
  result<page<ledger_entry>> partner_ledger(std::string_view partner_id, const ledger_period& period,
                                            const page_request& page) const override;
  result<std::vector<schedule_entry>> schedule_due(std::int64_t now, std::size_t limit) const override;
  result<std::vector<resign_task>> resign_tasks() const override;
  result<page<audit_entry>> audit_list(const page_request& page, order direction) const override;
  result<std::vector<outbox_event>> outbox_after(std::uint64_t after_seq, std::size_t limit) const override;
  result<std::optional<idempotency_record>> idempotency_get(std::string_view scope) const override;
  result<std::vector<expiry_entry>> licenses_by_expiry(std::string_view after, std::int64_t through,
                                                       std::size_t limit) const override;
  result<std::string> sweep_position(std::string_view name) const override;
  result<compliance_sweep_record> compliance_sweep_get() const override;
  result<std::optional<campaign_record>> campaign_get(std::string_view id) const override;
  result<std::vector<campaign_record>> campaigns_list() const override;
  result<std::optional<std::string>> import_reference(std::string_view partner_id,
                                                      std::string_view external_id) const override;
  result<std::uint64_t> outbox_last_seq() const override;
  result<page<std::pair<std::string, token_binding>>> token_bindings_list(const page_request& page) const override;
  result<page<std::pair<std::string, user_token_record>>> user_tokens_list(const page_request& page) const override;
  result<page<std::pair<std::string, idempotency_record>>> idempotency_list(const page_request& page) const override;
  result<page<import_reference_entry>> import_references_list(const page_request& page) const override;
  result<std::vector<std::pair<std::string, std::string>>> sweep_positions() const override;
  result<std::optional<outbox_event>> outbox_event_by_id(std::string_view event_id) const override;
  result<std::optional<webhook_endpoint_record>> webhook_endpoint_get(std::string_view id) const override;
  result<std::vector<webhook_endpoint_record>> webhook_endpoints() const override;
  result<std::vector<delivery_pending>> deliveries_pending(std::string_view endpoint_id, std::size_t limit) const override;
  result<std::optional<std::uint64_t>> delivery_subject_head(std::string_view endpoint_id,
                                                             std::string_view subject) const override;
  result<page<delivery_attempt>> delivery_log(std::string_view endpoint_id, const page_request& page) const override;
  result<mail_settings_record> mail_settings_get() const override;
  result<std::optional<mail_template_record>> mail_template_get(std::string_view name,
                                                                std::string_view language) const override;
  result<std::vector<mail_template_record>> mail_templates() const override;

  result<void> operator_token_hash_set(std::string_view hash) override;
  result<void> keyring_audited_version_set(std::uint64_t version) override;
  result<void> keyring_shared_set(std::string_view document) override;
  result<void> partner_put(const partner_record& partner) override;
  result<void> api_key_insert(std::string_view secret_hash, const api_key_record& key) override;
  result<void> api_key_put(std::string_view secret_hash, const api_key_record& key) override;
  result<void> customer_insert(const customer_record& customer) override;
  result<void> customer_put(const customer_record& customer) override;
  result<void> customer_erase(std::string_view id) override;
  result<void> product_insert(const product_record& product) override;
  result<void> product_put(const product_record& product) override;
  result<void> license_insert(const license_record& license) override;
  result<void> license_put(const license_record& license) override;
  result<void> license_erase(std::string_view id) override;
  result<void> token_binding_put(std::string_view token_hash, const token_binding& binding) override;
  result<void> free_slot_put(std::string_view customer_id, const free_slot& slot) override;
  result<void> free_slot_erase(std::string_view customer_id, std::string_view product) override;
  result<void> free_cap_count_add(std::string_view partner_id, std::int64_t delta) override;
  result<void> free_cap_hold_put(std::string_view partner_id, const free_cap_hold& hold) override;
  result<void> free_cap_hold_erase(std::string_view partner_id, const free_cap_hold& hold) override;
  result<void> subscription_put(subscription_record& sub, std::int64_t due) override;
  result<void> subscription_erase(std::string_view license_id) override;
  result<void> schedule_erase(const schedule_entry& entry) override;
  result<void> member_insert(std::string_view license_id, const member_record& member) override;
  result<void> member_put(std::string_view license_id, const member_record& member) override;
  result<void> member_erase(std::string_view license_id, std::string_view email) override;
  result<std::uint64_t> ledger_append(ledger_entry& entry) override;
  result<void> resign_task_put(const resign_task& task) override;
  result<void> resign_task_erase(std::string_view kid) override;
  result<std::uint64_t> audit_append(audit_entry& entry) override;
  result<std::uint64_t> outbox_append(outbox_event& event) override;
  result<void> outbox_restore(const outbox_event& event) override;
  result<void> idempotency_put(std::string_view scope, const idempotency_record& record) override;
  result<void> idempotency_prune(std::int64_t before, std::size_t limit) override;
  result<void> sweep_position_set(std::string_view name, std::string_view position) override;
  result<void> compliance_sweep_put(const compliance_sweep_record& sweep) override;
  result<void> campaign_put(const campaign_record& campaign) override;
  result<void> import_reference_put(std::string_view partner_id, std::string_view external_id,
                                    std::string_view license_id) override;
  result<std::size_t> outbox_prune(std::uint64_t through_seq, std::int64_t before, std::size_t limit) override;
  result<void> webhook_endpoint_put(const webhook_endpoint_record& endpoint) override;
  result<void> webhook_endpoint_erase(std::string_view id) override;
  result<void> delivery_pending_put(const delivery_pending& pending) override;
  result<void> delivery_pending_erase(const delivery_pending& pending) override;
  result<void> delivery_log_append(const delivery_attempt& attempt) override;
  result<std::size_t> delivery_log_prune(std::int64_t before, std::size_t limit) override;
  result<void> mail_settings_put(const mail_settings_record& settings) override;
  result<void> mail_template_put(const mail_template_record& replaced) override;
  result<void> mail_template_erase(std::string_view name, std::string_view language) override;

 private:
  struct key_column {
    std::string_view name;
    bool number = false;
  };
  /// A keyset listing: `select` columns from `from_where` (which ends in a WHERE clause whose
  /// parameters come first), ordered by `keys`; the cursor is the keys' values joined by '/'.
  struct keyset {
    std::string select;
    std::string from_where;
    std::vector<key_column> keys;
  };

  [[nodiscard]] result<pg_rows> run(std::string_view sql, std::initializer_list<pg_param> params = {}) const;
  [[nodiscard]] result<pg_rows> run(std::string_view sql, const std::vector<pg_param>& params) const;
  /// Runs the writes sent ahead and then `statements`, in one round trip: the answers of `statements`.
  [[nodiscard]] std::vector<result<pg_rows>> run_all(std::vector<pg_statement> statements) const;
  /// Queues a write to go with the next round trip (see the file's comment).
  [[nodiscard]] result<void> send_ahead(std::string sql, std::vector<pg_param> params);
  /// Notes the failure of a statement: the view answers it from now on.
  void fail(errc error) const;
  template <class Record>
  [[nodiscard]] result<std::optional<Record>> doc_find(std::string_view sql, std::initializer_list<pg_param> params) const;
  template <class Record>
  [[nodiscard]] result<std::vector<Record>> docs(std::string_view sql, std::initializer_list<pg_param> params) const;
  template <class Record, class Decode>
  [[nodiscard]] result<page<Record>> keyset_page(const keyset& listing, std::vector<pg_param> params,
                                                 const page_request& request, order direction, Decode decode) const;
  template <class Record>
  [[nodiscard]] result<page<Record>> doc_page(const keyset& listing, std::vector<pg_param> params,
                                              const page_request& request, order direction = order::oldest_first) const;
  /// The first column of the first row, if any.
  [[nodiscard]] result<std::optional<std::string>> text_find(std::string_view sql, std::initializer_list<pg_param> params) const;
  /// Every record of `table` (empty `partner_id`) or one partner's, by id.
  template <class Record>
  [[nodiscard]] result<page<Record>> partner_page(std::string_view table, std::string_view partner_id,
                                                  const page_request& request, order direction) const;
  [[nodiscard]] result<void> customer_search_index(const customer_record& customer);
  [[nodiscard]] result<std::optional<std::string>> setting(std::string_view name) const;
  [[nodiscard]] result<void> setting_set(std::string_view name, std::string_view value);
  [[nodiscard]] result<std::uint64_t> numbered_insert(std::string_view sequence, std::string_view insert,
                                                      std::vector<pg_param> params);
  [[nodiscard]] result<void> license_index(const license_record& license);

  std::shared_ptr<void> owner_;
  pg_connection& conn_;
  pg_numbering* numbering_ = nullptr;  // none in a read view, which numbers nothing
  mutable std::vector<pg_statement> ahead_;
  mutable std::size_t carried_ = 0;  // how many of ahead_, from the front, were carried in
  mutable std::optional<errc> carried_failed_;
  // What read_ahead read, by statement and id ('\0' between), until the view's next other statement.
  mutable std::vector<std::pair<std::string, result<pg_rows>>> read_ahead_;
  mutable pg_failure failure_ = pg_failure::none;
  mutable errc failed_{};
};

}  // namespace licensor::store
