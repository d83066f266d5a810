#include "store/pg/pg_schema.hpp"

#include <array>
#include <string_view>

namespace licensor::store {

namespace {

// Text keys compare bytewise (COLLATE "C"), as LMDB's keys do, whatever the database's locale:
// listings keep one order on both backends, and btree indexes serve prefix searches.
// A record that is a document is a jsonb `doc`; what is searched, joined or ordered is a column.
constexpr std::string_view migration_1 = R"sql(
CREATE TABLE settings (name text COLLATE "C" PRIMARY KEY, value text NOT NULL);
CREATE TABLE sequences (name text COLLATE "C" PRIMARY KEY, last bigint NOT NULL);
INSERT INTO sequences VALUES ('audit', 0), ('outbox', 0);

CREATE TABLE partners (id text COLLATE "C" PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE api_keys (secret_hash text COLLATE "C" PRIMARY KEY, id text COLLATE "C" NOT NULL,
                       partner_id text COLLATE "C" NOT NULL, created_at bigint NOT NULL, doc jsonb NOT NULL);
CREATE INDEX api_keys_by_id ON api_keys (id);
CREATE INDEX api_keys_by_partner ON api_keys (partner_id, created_at);

CREATE TABLE users (id text COLLATE "C" PRIMARY KEY, email text COLLATE "C" NOT NULL,
                    organisation text COLLATE "C" NOT NULL, doc jsonb NOT NULL, UNIQUE (organisation, email));
CREATE INDEX users_by_email ON users (email, id);
CREATE TABLE sessions (secret_hash text COLLATE "C" PRIMARY KEY, user_id text COLLATE "C" NOT NULL, doc jsonb NOT NULL);
CREATE INDEX sessions_by_user ON sessions (user_id, secret_hash);
CREATE TABLE user_tokens (token_hash text COLLATE "C" PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE organisation_security (partner_id text COLLATE "C" PRIMARY KEY, doc jsonb NOT NULL);

CREATE TABLE customers (id text COLLATE "C" PRIMARY KEY, partner_id text COLLATE "C" NOT NULL,
                        email text COLLATE "C" NOT NULL UNIQUE, doc jsonb NOT NULL);
CREATE INDEX customers_by_partner ON customers (partner_id, id);
-- domain/search_text: each customer's folded email, name and VAT number.
CREATE TABLE customer_search (customer_id text COLLATE "C" NOT NULL REFERENCES customers ON DELETE CASCADE,
                              partner_id text COLLATE "C" NOT NULL, text text COLLATE "C" NOT NULL,
                              PRIMARY KEY (customer_id, text));
CREATE INDEX customer_search_by_text ON customer_search (text, customer_id);
CREATE INDEX customer_search_by_partner ON customer_search (partner_id, text, customer_id);

CREATE TABLE products (id text COLLATE "C" PRIMARY KEY, doc jsonb NOT NULL);

-- customer_id and kid are '' when there is none; email_folded '' leaves the license out of the
-- email index. A license that never expires (0) orders after every time.
CREATE TABLE licenses (
  id text COLLATE "C" PRIMARY KEY,
  partner_id text COLLATE "C" NOT NULL,
  customer_id text COLLATE "C" NOT NULL,
  activation_key text COLLATE "C" NOT NULL UNIQUE,
  kid text COLLATE "C" NOT NULL,
  email_folded text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  kind text COLLATE "C" NOT NULL,
  expires_at bigint NOT NULL,
  expiry_order bigint NOT NULL GENERATED ALWAYS AS
    (CASE WHEN expires_at = 0 THEN 9223372036854775807 WHEN expires_at < 0 THEN 0 ELSE expires_at END) STORED,
  doc jsonb NOT NULL);
CREATE INDEX licenses_by_partner ON licenses (partner_id, id);
CREATE INDEX licenses_by_customer ON licenses (customer_id, id) WHERE customer_id <> '';
CREATE INDEX licenses_by_kid ON licenses (kid, id) WHERE kid <> '';
CREATE INDEX licenses_by_email ON licenses (email_folded, id) WHERE email_folded <> '';
CREATE INDEX licenses_by_partner_email ON licenses (partner_id, email_folded, id) WHERE email_folded <> '';
CREATE INDEX licenses_by_status ON licenses (status, id);
CREATE INDEX licenses_by_partner_status ON licenses (partner_id, status, id);
CREATE INDEX licenses_by_expiry ON licenses (expiry_order, id);
CREATE INDEX licenses_by_partner_expiry ON licenses (partner_id, expiry_order, id);
CREATE INDEX licenses_by_status_kind ON licenses (status, kind);
CREATE TABLE token_bindings (token_hash text COLLATE "C" PRIMARY KEY, license_id text COLLATE "C" NOT NULL,
                             kid text COLLATE "C" NOT NULL, email text NOT NULL, withdrawn boolean NOT NULL);

CREATE TABLE free_slots (customer_id text COLLATE "C" NOT NULL, product text COLLATE "C" NOT NULL,
                         license_id text COLLATE "C" NOT NULL, held_until bigint NOT NULL,
                         PRIMARY KEY (customer_id, product));
CREATE TABLE free_caps (partner_id text COLLATE "C" PRIMARY KEY, count bigint NOT NULL CHECK (count >= 0));
CREATE TABLE free_cap_holds (partner_id text COLLATE "C" NOT NULL, until bigint NOT NULL,
                             license_id text COLLATE "C" NOT NULL, PRIMARY KEY (partner_id, until, license_id));

CREATE TABLE subscriptions (license_id text COLLATE "C" PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE schedule (due bigint NOT NULL, license_id text COLLATE "C" NOT NULL, PRIMARY KEY (due, license_id));
CREATE TABLE members (license_id text COLLATE "C" NOT NULL, email text COLLATE "C" NOT NULL, doc jsonb NOT NULL,
                      PRIMARY KEY (license_id, email));
CREATE TABLE ledger (license_id text COLLATE "C" NOT NULL, seq bigint NOT NULL, partner_id text COLLATE "C" NOT NULL,
                     at bigint NOT NULL, doc jsonb NOT NULL, PRIMARY KEY (license_id, seq));
CREATE INDEX ledger_by_partner ON ledger (partner_id, at, license_id, seq);
CREATE TABLE resign_tasks (kid text COLLATE "C" PRIMARY KEY, started_at bigint NOT NULL, doc jsonb NOT NULL);

CREATE TABLE audit (seq bigint PRIMARY KEY, at bigint NOT NULL, actor text NOT NULL, action text NOT NULL,
                    target text NOT NULL, details jsonb NOT NULL, request_id text NOT NULL);
CREATE TABLE idempotency (scope text COLLATE "C" PRIMARY KEY, request_hash text NOT NULL, status integer NOT NULL,
                          body text NOT NULL, at bigint NOT NULL);
CREATE INDEX idempotency_by_time ON idempotency (at, scope);

-- An event's data is kept as the text it was written as (delivery splices it unparsed).
CREATE TABLE outbox (seq bigint PRIMARY KEY, id text COLLATE "C" NOT NULL UNIQUE, type text NOT NULL,
                     occurred_at bigint NOT NULL, partner_id text COLLATE "C" NOT NULL,
                     subject text COLLATE "C" NOT NULL, data text NOT NULL);
CREATE INDEX outbox_by_partner ON outbox (partner_id, seq) WHERE partner_id <> '';

CREATE TABLE sweep_positions (name text COLLATE "C" PRIMARY KEY, position text NOT NULL);
CREATE TABLE campaigns (id text COLLATE "C" PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE import_references (partner_id text COLLATE "C" NOT NULL, external_id text COLLATE "C" NOT NULL,
                                license_id text COLLATE "C" NOT NULL, PRIMARY KEY (partner_id, external_id));

CREATE TABLE webhook_endpoints (id text COLLATE "C" PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE deliveries (endpoint_id text COLLATE "C" NOT NULL, seq bigint NOT NULL, subject text COLLATE "C" NOT NULL,
                         doc jsonb NOT NULL, PRIMARY KEY (endpoint_id, seq));
CREATE INDEX deliveries_by_subject ON deliveries (endpoint_id, subject, seq);
CREATE TABLE delivery_log (endpoint_id text COLLATE "C" NOT NULL, at bigint NOT NULL, event_seq bigint NOT NULL,
                           attempt bigint NOT NULL, doc jsonb NOT NULL,
                           PRIMARY KEY (endpoint_id, at, event_seq, attempt));
CREATE INDEX delivery_log_by_time ON delivery_log (at);

CREATE TABLE mail_templates (name text COLLATE "C" NOT NULL, language text COLLATE "C" NOT NULL, doc jsonb NOT NULL,
                             PRIMARY KEY (name, language));
)sql";

struct migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

constexpr std::array migrations{
    migration{1, "the port's tables", migration_1},
};
static_assert(migrations.back().version == pg_schema_version);

// Serialises migrations across replicas for the length of one transaction.
constexpr std::string_view migration_lock = "SELECT pg_advisory_xact_lock(7260114829355437001)";

}  // namespace

result<int> pg_schema_recorded(pg_connection& conn) {
  auto rows = conn.exec("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!rows) return rows.error();
  return static_cast<int>(rows->i64(0, 0));
}

result<void> pg_schema_migrate(pg_connection& conn) {
  constexpr std::string_view create_log =
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, description text NOT NULL, "
      "applied_at timestamptz NOT NULL DEFAULT now())";
  for (const auto& step : migrations) {
    if (auto begun = conn.command("BEGIN"); !begun) return begun;
    const auto applied = [&]() -> result<bool> {
      if (auto locked = conn.command(migration_lock); !locked) return locked.error();
      if (auto created = conn.command(create_log); !created) return created.error();
      auto recorded = pg_schema_recorded(conn);
      if (!recorded) return recorded.error();
      if (*recorded > pg_schema_version) return errc::schema_too_new;
      if (*recorded >= step.version) return false;
      if (auto ran = conn.command(step.sql); !ran) return ran.error();
      auto logged = conn.exec("INSERT INTO schema_migrations (version, description) VALUES ($1, $2)",
                              {step.version, step.description});
      if (!logged) return logged.error();
      return true;
    }();
    if (!applied) {
      (void)conn.command("ROLLBACK");
      return applied.error();
    }
    if (auto committed = conn.command("COMMIT"); !committed) return committed;
  }
  return {};
}

}  // namespace licensor::store
