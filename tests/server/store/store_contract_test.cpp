// The storage port's contract (server/store/store.hpp), checked on every backend: records round
// trip, the backend keeps every index, conflicts are refused, a failed job leaves nothing, store
// sequences have no gaps, snapshots are consistent, cursors page through everything once, and
// what was committed survives a reopen.
#include <doctest/doctest.h>

#include <fstream>
#include <set>

#include "domain/secret_hash.hpp"
#include "store_fixture.hpp"

using namespace licensor;
using namespace licensor::store;
using namespace licensor::store::testing;
using licensor::server::license_status;
using licensor::server::campaign_status;

namespace {

template <class Check>
void on_every_backend(Check check) {
  for (const auto& kind : store_backends()) {
    INFO("backend: " << kind.name);
    store_fixture fixture(kind);
    check(fixture);
  }
}

license_record license_of(std::string id, std::string customer, std::string token, std::string kid) {
  license_record license;
  license.id = std::move(id);
  license.partner_id = "par_1";
  license.customer_id = std::move(customer);
  license.email = "ada@example.com";
  license.product = "app";
  license.tier = "pro";
  license.kind = license_kind::paid;
  license.activation_key = "KEY-" + license.id;
  license.token = std::move(token);
  license.kid = std::move(kid);
  license.issued_at = 1'800'000'000;
  return license;
}

member_record member_of(std::string email, std::int64_t added_at) {
  member_record member;
  member.email = std::move(email);
  member.added_at = added_at;
  return member;
}

customer_record customer_of(std::string id, std::string email, std::string partner = "par_1") {
  customer_record customer;
  customer.id = std::move(id);
  customer.partner_id = std::move(partner);
  customer.email = std::move(email);
  customer.name = "Ada";
  return customer;
}

}  // namespace

namespace {

licensor::server::api_key_record api_key_of(std::string id, std::int64_t created_at) {
  licensor::server::api_key_record key;
  key.id = std::move(id);
  key.partner_id = "par_1";
  key.created_at = created_at;
  return key;
}

}  // namespace

TEST_CASE("records round-trip and absent ones are empty, not errors") {
  on_every_backend([](store_fixture& s) {
    partner_record partner{"par_1", "Acme", "gold", {"acme.example"}, true, 12, 1'800'000'000};
    product_record product;
    product.id = "app";
    product.tiers = {"basic", "pro"};
    product.prices["pro"] = server::tier_price{"EUR", 500, 5000};
    ok(s.commit([&](write_view& w) -> result<void> {
      if (auto put = w.partner_put(partner); !put) return put;
      if (auto put = w.product_insert(product); !put) return put;
      if (auto put = w.customer_insert(customer_of("cus_1", "ada@example.com")); !put) return put;
      if (auto put = w.api_key_insert("hash-1", api_key_of("key_1", 5)); !put) return put;
      if (auto put = w.keyring_shared_set(R"({"version":2})"); !put) return put;
      return w.operator_token_hash_set("operator-hash");
    }));
    auto r = s.read();
    const auto stored = ok(r->partner_get("par_1"));
    REQUIRE(stored);
    CHECK(stored->level == "gold");
    CHECK(stored->email_domains == std::vector<std::string>{"acme.example"});
    CHECK(stored->discount_percent == 12);
    CHECK(ok(r->product_get("app"))->prices.at("pro").seat_year == 5000);
    CHECK(ok(r->customer_get("cus_1"))->email == "ada@example.com");
    CHECK(*ok(r->customer_id_by_email("ada@example.com")) == "cus_1");
    CHECK(ok(r->api_key_by_hash("hash-1"))->id == "key_1");
    CHECK(*ok(r->api_key_hash_of("key_1")) == "hash-1");
    CHECK(*ok(r->operator_token_hash()) == "operator-hash");
    CHECK(*ok(r->keyring_shared()) == R"({"version":2})");

    CHECK_FALSE(ok(r->partner_get("par_2")));
    CHECK_FALSE(ok(r->license_get("lic_x")));
    CHECK_FALSE(ok(r->customer_id_by_email("nobody@example.com")));
    CHECK_FALSE(ok(r->subscription_get("lic_x")));
    CHECK_FALSE(ok(r->member_get("lic_x", "a@example.com")));
    CHECK_FALSE(ok(r->token_binding_get("no-such-hash")));
    CHECK_FALSE(ok(r->idempotency_get("scope")));
    CHECK(ok(r->keyring_audited_version()) == 0);
  });
}

TEST_CASE("a key a client sent with a NUL or bytes that are not UTF-8 finds nothing, and a bad cursor is a bad request") {
  on_every_backend([](store_fixture& s) {
    ok(s.commit([](write_view& w) { return w.customer_insert(customer_of("cus_1", "ada@example.com")); }));
    auto r = s.read();
    // A backend may refuse such a key (bad_request) or not find it; it never finds cus_1.
    const auto with_nul = r->customer_get(std::string("cus_1\0x", 7));
    CHECK((with_nul.ok() ? !*with_nul : with_nul.error() == errc::bad_request));
    auto again = s.read();
    const auto not_utf8 = again->customer_id_by_email("\xff\xfe@example.com");
    CHECK((not_utf8.ok() ? !*not_utf8 : not_utf8.error() == errc::bad_request));
    auto fresh = s.read();
    const auto listed = fresh->customers_list("", {.limit = 10, .after = "\xff\x01/"}, order::oldest_first);
    CHECK((listed.ok() ? listed->items.empty() : listed.error() == errc::bad_request));
  });
}

TEST_CASE("the backend keeps a license's indexes as the license changes") {
  on_every_backend([](store_fixture& s) {
    const auto first = license_of("lic_1", "cus_1", "token-a", "kid-old");
    ok(s.commit([&](write_view& w) { return w.license_insert(first); }));
    {
      auto r = s.read();
      CHECK(*ok(r->license_id_by_activation_key("KEY-lic_1")) == "lic_1");
      CHECK(ok(r->customer_licenses_count("cus_1")) == 1);
      CHECK(ok(r->licenses_of_customer("cus_1")).at(0).id == "lic_1");
      CHECK(ok(r->licenses_of_customer("cus_2")).empty());
      CHECK(ok(r->licenses_signed_by("kid-old", 10)) == std::vector<std::string>{"lic_1"});
      CHECK(ok(r->licenses_signed_count("kid-old")) == 1);
      CHECK(ok(r->licenses_signed_count("kid-ol")) == 0);  // a kid is not a prefix of another
      const auto bound = ok(r->token_binding_get(server::hash_hex("token-a")));
      REQUIRE(bound);
      CHECK(bound->license_id == "lic_1");
      CHECK(bound->kid == "kid-old");
      CHECK(ok(r->licenses_list("par_1", {}, order::oldest_first)).items.size() == 1);
      CHECK(ok(r->licenses_list("par_2", {}, order::oldest_first)).items.empty());
    }

    // Transferred to another customer and re-signed by a new key.
    auto moved = first;
    moved.customer_id = "cus_2";
    moved.email = "bob@example.com";
    moved.token = "token-b";
    moved.kid = "kid-new";
    ok(s.commit([&](write_view& w) { return w.license_put(moved); }));
    {
      auto r = s.read();
      CHECK(ok(r->customer_licenses_count("cus_1")) == 0);
      CHECK(ok(r->customer_licenses_count("cus_2")) == 1);
      CHECK(ok(r->licenses_of_customer("cus_1")).empty());
      CHECK(ok(r->licenses_of_customer("cus_2")).at(0).token == "token-b");
      CHECK(ok(r->licenses_signed_by("kid-old", 10)).empty());
      CHECK(ok(r->licenses_signed_by("kid-new", 10)) == std::vector<std::string>{"lic_1"});
      CHECK(ok(r->licenses_signed_count("kid-old")) == 0);
      CHECK(ok(r->licenses_signed_count("kid-new")) == 1);
      CHECK(ok(r->token_binding_get(server::hash_hex("token-b")))->email == "bob@example.com");
      // The earlier token stays indexed: it still answers for the license (as a mismatch).
      CHECK(ok(r->token_binding_get(server::hash_hex("token-a")))->license_id == "lic_1");
    }

    ok(s.commit([&](write_view& w) { return w.license_erase("lic_1"); }));
    auto r = s.read();
    CHECK_FALSE(ok(r->license_get("lic_1")));
    CHECK_FALSE(ok(r->license_id_by_activation_key("KEY-lic_1")));
    CHECK(ok(r->customer_licenses_count("cus_2")) == 0);
    CHECK(ok(r->licenses_signed_by("kid-new", 10)).empty());
    CHECK(ok(r->licenses_signed_count("kid-new")) == 0);
    CHECK(ok(r->licenses_list("", {}, order::oldest_first)).items.empty());
    CHECK(ok(r->token_binding_get(server::hash_hex("token-b"))));
  });
}

TEST_CASE("inserts refuse what exists and puts refuse what does not") {
  on_every_backend([](store_fixture& s) {
    ok(s.commit([&](write_view& w) -> result<void> {
      if (auto put = w.license_insert(license_of("lic_1", "cus_1", "t1", "k")); !put) return put;
      if (auto put = w.customer_insert(customer_of("cus_1", "ada@example.com")); !put) return put;
      if (auto put = w.member_insert("lic_1", member_of("m@example.com", 1)); !put) return put;
      if (auto put = w.api_key_insert("hash-1", api_key_of("key_1", 1)); !put) return put;
      product_record product;
      product.id = "app";
      return w.product_insert(product);
    }));
    auto refused = [&](licensor::store::store::job work) {
      const auto outcome = s.commit(std::move(work));
      REQUIRE_FALSE(outcome.ok());
      return outcome.error();
    };
    CHECK(refused([](write_view& w) { return w.license_insert(license_of("lic_1", "cus_9", "t9", "k")); }) ==
          errc::conflict);
    auto same_key = license_of("lic_2", "cus_1", "t2", "k");
    same_key.activation_key = "KEY-lic_1";
    CHECK(refused([&](write_view& w) { return w.license_insert(same_key); }) == errc::conflict);
    CHECK(refused([](write_view& w) { return w.customer_insert(customer_of("cus_2", "ada@example.com")); }) ==
          errc::conflict);
    CHECK(refused([](write_view& w) { return w.customer_put(customer_of("cus_1", "eve@example.com")); }) ==
          errc::conflict);
    CHECK(refused([](write_view& w) { return w.customer_put(customer_of("cus_9", "zed@example.com")); }) ==
          errc::not_found);
    CHECK(refused([](write_view& w) { return w.license_put(license_of("lic_9", "", "t", "k")); }) ==
          errc::not_found);
    CHECK(refused([](write_view& w) { return w.member_insert("lic_1", member_of("m@example.com", 2)); }) == errc::conflict);
    CHECK(refused([](write_view& w) {
            return w.api_key_insert("hash-1", api_key_of("key_2", 1));
          }) == errc::conflict);
    CHECK(refused([](write_view& w) {
            product_record again;
            again.id = "app";
            return w.product_insert(again);
          }) == errc::conflict);
    CHECK(refused([](write_view& w) { return w.free_cap_count_add("par_1", -1); }) == errc::internal);

    // A customer may move to another partner; its email index stays.
    ok(s.commit([](write_view& w) { return w.customer_put(customer_of("cus_1", "ada@example.com", "par_2")); }));
    auto r = s.read();
    CHECK(ok(r->customer_get("cus_1"))->partner_id == "par_2");
    CHECK(ok(r->customers_list("par_2", {}, order::oldest_first)).items.size() == 1);
    CHECK(ok(r->customers_list("par_1", {}, order::oldest_first)).items.empty());
  });
}

TEST_CASE("a failed or throwing job leaves nothing behind, and jobs beside it are unaffected") {
  on_every_backend([](store_fixture& s) {
    CHECK(s.commit([](write_view& w) -> result<void> {
              if (auto put = w.customer_insert(customer_of("cus_1", "ada@example.com")); !put) return put;
              audit_entry entry{0, 1, "test", "customer.create", "cus_1"};
              if (auto appended = w.audit_append(entry); !appended) return appended.error();
              return errc::conflict;
            }).error() == errc::conflict);
    CHECK(s.commit([](write_view& w) -> result<void> {
              if (auto put = w.customer_insert(customer_of("cus_2", "bob@example.com")); !put) return put;
              throw std::runtime_error("a bug in a job");
            }).error() == errc::internal);

    // Submitted together: the failing one must not take the others down.
    std::vector<std::future<result<void>>> outcomes;
    std::vector<std::promise<result<void>>> promises(20);
    for (int i = 0; i < 20; ++i) {
      outcomes.push_back(promises[i].get_future());
      s.db().submit(
          [i](write_view& w) -> result<void> {
            if (i % 5 == 0) return errc::bad_request;
            return w.customer_insert(customer_of("cus_b" + std::to_string(i), "b" + std::to_string(i) + "@example.com"));
          },
          [&promises, i](result<void> done) { promises[i].set_value(done); });
    }
    for (int i = 0; i < 20; ++i) CHECK(outcomes[i].get().ok() == (i % 5 != 0));

    auto r = s.read();
    CHECK_FALSE(ok(r->customer_get("cus_1")));
    CHECK_FALSE(ok(r->customer_id_by_email("ada@example.com")));
    CHECK_FALSE(ok(r->customer_get("cus_2")));
    CHECK(ok(r->audit_list({}, order::oldest_first)).items.empty());
    CHECK(ok(r->customers_list("", {.limit = 100, .after = {}}, order::oldest_first)).items.size() == 16);
  });
}

TEST_CASE("a write that reports its conflict late still fails its job alone, and takes the job's numbers with it") {
  on_every_backend([](store_fixture& s) {
    ok(s.commit([](write_view& w) { return w.license_insert(license_of("lic_taken", "cus_1", "t0", "k")); }));
    // Submitted together, so that they share a transaction where the backend batches: every
    // fourth license takes a taken id, after which its job appends an audit entry and an event.
    constexpr int jobs = 20;
    std::vector<std::promise<result<void>>> promises(jobs);
    std::vector<std::future<result<void>>> outcomes;
    for (int i = 0; i < jobs; ++i) {
      outcomes.push_back(promises[i].get_future());
      s.db().submit(
          [i](write_view& w) -> result<void> {
            const auto id = i % 4 == 0 ? std::string("lic_taken") : "lic_" + std::to_string(i);
            if (auto put = w.license_insert(license_of(id, "cus_1", "t" + std::to_string(i + 1), "k")); !put) return put;
            audit_entry entry{0, 1, "test", "license.issue", "job " + std::to_string(i)};
            if (auto appended = w.audit_append(entry); !appended) return appended.error();
            outbox_event event{0, "evt_" + std::to_string(i), "license.issued", 1, "par_1", "license:" + id, "{}"};
            if (auto appended = w.outbox_append(event); !appended) return appended.error();
            return {};
          },
          [&promises, i](result<void> done) { promises[i].set_value(done); });
    }
    for (int i = 0; i < jobs; ++i) {
      const auto outcome = outcomes[i].get();
      if (i % 4 == 0) {
        REQUIRE_FALSE(outcome.ok());
        CHECK(outcome.error() == errc::conflict);
      } else {
        CHECK(outcome.ok());
      }
    }
    auto r = s.read();
    const auto audit = ok(r->audit_list({.limit = 100, .after = {}}, order::oldest_first)).items;
    REQUIRE(audit.size() == 15);
    const auto events = ok(r->outbox_after(0, 100));
    REQUIRE(events.size() == 15);
    for (std::size_t i = 0; i < audit.size(); ++i) {
      CHECK(audit[i].seq == i + 1);
      CHECK(events[i].seq == i + 1);
      const auto job = std::stoi(audit[i].target.substr(4));
      CHECK(job % 4 != 0);
      CHECK(events[i].id == "evt_" + std::to_string(job));
    }
    CHECK(ok(r->licenses_list("", {.limit = 100, .after = {}}, order::oldest_first)).items.size() == 16);
    CHECK_FALSE(ok(r->token_binding_get(server::hash_hex("t1"))));  // the refused license's token binds nothing
    CHECK(ok(r->token_binding_get(server::hash_hex("t2")))->license_id == "lic_1");
  });
}

TEST_CASE("records read ahead answer as reads one by one do, and a write after the hint is seen") {
  on_every_backend([](store_fixture& s) {
    partner_record partner;
    partner.id = "par_1";
    partner.name = "Before";
    product_record product;
    product.id = "app";
    ok(s.commit([&](write_view& w) -> result<void> {
      if (auto put = w.partner_put(partner); !put) return put;
      if (auto put = w.product_insert(product); !put) return put;
      return w.customer_insert(customer_of("cus_1", "ada@example.com"));
    }));
    auto r = s.read();
    r->read_ahead({.partner = "par_1", .product = "app", .customer = "cus_1"});
    CHECK(ok(r->customer_get("cus_1"))->email == "ada@example.com");
    CHECK(ok(r->product_get("app"))->id == "app");
    CHECK(ok(r->partner_get("par_1"))->name == "Before");
    r->read_ahead({.partner = "par_none", .product = {}, .customer = "cus_none"});
    CHECK_FALSE(ok(r->partner_get("par_none")));
    CHECK_FALSE(ok(r->customer_get("cus_none")));
    CHECK_FALSE(ok(r->customer_get("cus_none")));  // asked twice: the second read is a plain one

    ok(s.commit([&](write_view& w) -> result<void> {
      w.read_ahead({.partner = "par_1", .product = "app", .customer = "cus_1"});
      auto renamed = partner;
      renamed.name = "After";
      if (auto put = w.partner_put(renamed); !put) return put;
      auto seen = w.partner_get("par_1");
      if (!seen || !*seen || (*seen)->name != "After") return errc::internal;
      auto customer = w.customer_get("cus_1");
      return customer && *customer ? result<void>{} : result<void>{errc::internal};
    }));
    CHECK(ok(s.read()->partner_get("par_1"))->name == "After");
  });
}

TEST_CASE("a credential's records read ahead answer as reads one by one do") {
  on_every_backend([](store_fixture& s) {
    auto read_credential = [&](std::string_view secret_hash) {
      auto r = s.read();
      r->read_ahead({.api_key_hash = secret_hash, .operator_token = true});
      return std::pair{ok(r->operator_token_hash()), ok(r->api_key_by_hash(secret_hash))};
    };
    auto [no_token, no_key] = read_credential("hash_of_key");
    CHECK_FALSE(no_token);
    CHECK_FALSE(no_key);

    api_key_record key;
    key.id = "key_1";
    key.partner_id = "par_1";
    ok(s.commit([&](write_view& w) -> result<void> {
      if (auto set = w.operator_token_hash_set("hash_of_operator"); !set) return set;
      return w.api_key_insert("hash_of_key", key);
    }));
    auto [token, found] = read_credential("hash_of_key");
    CHECK(token == "hash_of_operator");
    REQUIRE(found);
    CHECK(found->id == "key_1");
    CHECK_FALSE(read_credential("hash_of_another").second);
  });
}

TEST_CASE("a token's binding and the license it binds, read ahead, answer as reads one by one do") {
  on_every_backend([](store_fixture& s) {
    ok(s.commit([](write_view& w) -> result<void> {
      if (auto put = w.license_insert(license_of("lic_1", "cus_1", "t1", "k")); !put) return put;
      if (auto put = w.license_insert(license_of("lic_2", "cus_1", "t2", "k")); !put) return put;
      return w.token_binding_put(server::hash_hex("t-orphan"), {"lic_gone", "k", "ada@example.com", false});
    }));
    auto r = s.read();
    r->read_ahead({.token_hash = server::hash_hex("t1")});
    const auto bound = ok(r->token_binding_get(server::hash_hex("t1")));
    REQUIRE(bound);
    CHECK(bound->license_id == "lic_1");
    CHECK(ok(r->license_get("lic_1"))->token == "t1");
    CHECK(ok(r->license_get("lic_1"))->token == "t1");  // asked twice: the second read is a plain one

    r->read_ahead({.token_hash = server::hash_hex("t1")});
    CHECK(ok(r->license_get("lic_2"))->token == "t2");  // another license than the one bound
    r->read_ahead({.token_hash = server::hash_hex("t-unknown")});
    CHECK_FALSE(ok(r->token_binding_get(server::hash_hex("t-unknown"))));
    CHECK(ok(r->license_get("lic_1"))->id == "lic_1");
    r->read_ahead({.token_hash = server::hash_hex("t-orphan")});
    CHECK(ok(r->token_binding_get(server::hash_hex("t-orphan")))->license_id == "lic_gone");
    CHECK_FALSE(ok(r->license_get("lic_gone")));
  });
}

TEST_CASE("audit and ledger sequences come from the store, with no gaps among committed entries") {
  on_every_backend([](store_fixture& s) {
    auto append_audit = [&](bool keep) {
      return s.commit([keep](write_view& w) -> result<void> {
        audit_entry entry{0, 1, "operator", "test", "x"};
        auto seq = w.audit_append(entry);
        if (!seq) return seq.error();
        if (*seq != entry.seq) return errc::internal;
        return keep ? result<void>{} : result<void>{errc::conflict};
      });
    };
    ok(append_audit(true));
    CHECK_FALSE(append_audit(false).ok());  // rolled back: gives its number back
    ok(append_audit(true));
    ok(append_audit(true));
    std::vector<std::uint64_t> seqs;
    for (const auto& entry : ok(s.read()->audit_list({}, order::oldest_first)).items) seqs.push_back(entry.seq);
    CHECK(seqs == std::vector<std::uint64_t>{1, 2, 3});

    auto charge = [](std::string license, std::string partner, std::int64_t at) {
      ledger_entry entry;
      entry.license_id = std::move(license);
      entry.partner_id = std::move(partner);
      entry.at = at;
      entry.type = "charge";
      entry.amount = 100;
      return entry;
    };
    ok(s.commit([&](write_view& w) -> result<void> {
      for (auto entry : {charge("lic_1", "par_1", 100), charge("lic_2", "par_1", 200), charge("lic_1", "par_1", 300),
                         charge("lic_3", "par_2", 150)}) {
        if (auto seq = w.ledger_append(entry); !seq) return seq.error();
      }
      return {};
    }));
    auto r = s.read();
    const auto lic_1 = ok(r->ledger_of("lic_1", {})).items;
    REQUIRE(lic_1.size() == 2);
    CHECK(lic_1[0].seq == 1);
    CHECK(lic_1[1].seq == 2);
    CHECK(lic_1[1].at == 300);
    CHECK(ok(r->ledger_of("lic_2", {})).items.at(0).seq == 1);
    CHECK(ok(r->partner_ledger("par_1", {}, {})).items.size() == 3);
    const auto window = ok(r->partner_ledger("par_1", {.from = 150, .to = 300}, {})).items;
    REQUIRE(window.size() == 1);
    CHECK(window[0].license_id == "lic_2");
    CHECK(ok(r->partner_ledger("par_2", {}, {})).items.size() == 1);
  });
}

TEST_CASE("a read view is a snapshot; a write job sees its own writes") {
  on_every_backend([](store_fixture& s) {
    ok(s.commit([](write_view& w) { return w.free_cap_count_add("par_1", 2); }));
    auto before = s.read();
    ok(s.commit([](write_view& w) -> result<void> {
      if (auto added = w.free_cap_count_add("par_1", 3); !added) return added;
      auto seen = w.free_cap_count("par_1");
      if (!seen || *seen != 5) return errc::internal;
      return w.customer_insert(customer_of("cus_1", "ada@example.com"));
    }));
    CHECK(ok(before->free_cap_count("par_1")) == 2);
    CHECK_FALSE(ok(before->customer_get("cus_1")));
    auto after = s.read();
    CHECK(ok(after->free_cap_count("par_1")) == 5);
    CHECK(ok(after->customer_get("cus_1")));
  });
}

TEST_CASE("opaque cursors page through a listing exactly once, in a stable order") {
  on_every_backend([](store_fixture& s) {
    ok(s.commit([](write_view& w) -> result<void> {
      for (int i = 0; i < 250; ++i) {
        const auto n = std::to_string(i);
        if (auto put = w.customer_insert(customer_of("cus_" + n, "c" + n + "@example.com", i % 2 ? "par_1" : "par_2"));
            !put)
          return put;
        audit_entry entry{0, i, "operator", "test", n};
        if (auto appended = w.audit_append(entry); !appended) return appended.error();
      }
      return {};
    }));
    auto r = s.read();
    auto collect = [](auto list) {
      std::vector<std::string> seen;
      page_request request{.limit = 40, .after = {}};
      for (int pages = 0; pages < 100; ++pages) {
        auto one = ok(list(request));
        CHECK(one.items.size() <= 40);
        for (const auto& item : one.items) seen.push_back(item.id);
        if (one.next.empty()) break;
        request.after = one.next;
      }
      return seen;
    };
    const auto all = collect([&](const page_request& p) { return r->customers_list("", p, order::oldest_first); });
    CHECK(all.size() == 250);
    CHECK(std::set<std::string>(all.begin(), all.end()).size() == 250);
    CHECK(collect([&](const page_request& p) { return r->customers_list("", p, order::oldest_first); }) == all);
    CHECK(collect([&](const page_request& p) { return r->customers_list("par_1", p, order::oldest_first); }).size() == 125);

    // The audit log both ways, 64 at a time: every entry once, in seq order.
    for (const auto direction : {order::oldest_first, order::newest_first}) {
      std::vector<std::uint64_t> seqs;
      page_request request{.limit = 64, .after = {}};
      while (true) {
        auto one = ok(r->audit_list(request, direction));
        CHECK(one.items.size() <= 64);
        for (const auto& entry : one.items) seqs.push_back(entry.seq);
        if (one.next.empty()) break;
        request.after = one.next;
      }
      REQUIRE(seqs.size() == 250);
      for (std::size_t i = 0; i < seqs.size(); ++i)
        CHECK(seqs[i] == (direction == order::oldest_first ? i + 1 : 250 - i));
    }
  });
}

TEST_CASE("search indexes: customers by the start of email, name or VAT number, licenses by email and status, each once and in order") {
  on_every_backend([](store_fixture& s) {
    auto rossi = customer_of("cus_r", "ann@rossi.example");
    rossi.name = "Ann Rossi";  // email and name both start with "ann": listed once
    rossi.vat_number = "IT123";
    auto verdi = customer_of("cus_v", "bob@verdi.example");
    verdi.name = "Annex SpA";
    auto other = customer_of("cus_o", "ann@other.example", "par_2");
    auto issued = license_of("lic_r", "cus_r", "token-r", "kid");
    issued.email = "Ann@Rossi.example";  // folded for the index
    auto others = license_of("lic_o", "cus_o", "token-o", "kid");
    others.partner_id = "par_2";
    others.email = "ann@other.example";
    ok(s.commit([&](write_view& w) -> result<void> {
      for (const auto* customer : {&rossi, &verdi, &other})
        if (auto put = w.customer_insert(*customer); !put) return put;
      if (auto put = w.license_insert(issued); !put) return put;
      return w.license_insert(others);
    }));
    const auto ids = [](const auto& page) {
      std::vector<std::string> out;
      for (const auto& item : page.items) out.push_back(item.id);
      return out;
    };
    {
      auto r = s.read();
      CHECK(ids(ok(r->customers_search("par_1", "ann", {}))) == std::vector<std::string>{"cus_r", "cus_v"});
      CHECK(ids(ok(r->customers_search("par_1", "annex", {}))) == std::vector<std::string>{"cus_v"});
      CHECK(ids(ok(r->customers_search("par_1", "it1", {}))) == std::vector<std::string>{"cus_r"});
      CHECK(ids(ok(r->customers_search("par_1", "rossi", {}))).empty());  // a prefix, not a substring
      CHECK(ids(ok(r->customers_search("", "ann@", {}))) == std::vector<std::string>{"cus_o", "cus_r"});
      CHECK(ids(ok(r->licenses_by_email("par_1", "ann@", {}))) == std::vector<std::string>{"lic_r"});
      CHECK(ids(ok(r->licenses_by_email("", "ann@", {}))) == std::vector<std::string>{"lic_o", "lic_r"});
      CHECK(ids(ok(r->licenses_by_status("par_1", license_status::active, {}, order::oldest_first))) == std::vector<std::string>{"lic_r"});
      CHECK(ids(ok(r->licenses_by_status("", license_status::active, {}, order::oldest_first))) == std::vector<std::string>{"lic_o", "lic_r"});
      CHECK(ids(ok(r->licenses_by_status("", license_status::suspended, {}, order::oldest_first))).empty());
      // Paged one at a time, each match comes once.
      std::vector<std::string> paged;
      page_request request{.limit = 1, .after = {}};
      for (int pages = 0; pages < 10; ++pages) {
        auto one = ok(r->customers_search("par_1", "a", request));
        for (const auto& item : one.items) paged.push_back(item.id);
        if (one.next.empty()) break;
        request.after = one.next;
      }
      CHECK(paged == std::vector<std::string>{"cus_r", "cus_v"});
    }

    // Renamed, reassigned, transferred and erased: the indexes follow.
    verdi.name = "Bianchi";
    other.partner_id = "par_1";
    issued.email = "carla@example.com";
    issued.status = license_status::suspended;
    ok(s.commit([&](write_view& w) -> result<void> {
      if (auto put = w.customer_put(verdi); !put) return put;
      if (auto put = w.customer_put(other); !put) return put;
      if (auto put = w.license_put(issued); !put) return put;
      return w.license_erase("lic_o");
    }));
    auto r = s.read();
    // Ordered by the matching text: "ann rossi" before "ann@other.example".
    CHECK(ids(ok(r->customers_search("par_1", "ann", {}))) == std::vector<std::string>{"cus_r", "cus_o"});
    CHECK(ids(ok(r->customers_search("par_1", "bianchi", {}))) == std::vector<std::string>{"cus_v"});
    CHECK(ids(ok(r->customers_search("par_2", "ann", {}))).empty());
    CHECK(ids(ok(r->licenses_by_email("", "ann", {}))).empty());
    CHECK(ids(ok(r->licenses_by_email("par_1", "carla", {}))) == std::vector<std::string>{"lic_r"});
    CHECK(ids(ok(r->licenses_by_status("par_1", license_status::suspended, {}, order::oldest_first))) == std::vector<std::string>{"lic_r"});
    CHECK(ids(ok(r->licenses_by_status("", license_status::active, {}, order::oldest_first))).empty());  // suspended, and lic_o erased
    ok(s.commit([&](write_view& w) { return w.customer_erase("cus_v"); }));
    CHECK(ids(ok(s.read()->customers_search("", "b", {}))).empty());
  });
}

TEST_CASE("listings both ways: licenses and customers by issue, licenses by expiry within a range, paged, the index following changes") {
  on_every_backend([](store_fixture& s) {
    // Five licenses of par_1 (ids in issue order) and one of par_2; lic_3 never expires.
    const std::vector<std::pair<std::string, std::int64_t>> expiring{
        {"lic_1", 5'000}, {"lic_2", 3'000}, {"lic_3", 0}, {"lic_4", 4'000}, {"lic_5", 3'000}};
    ok(s.commit([&](write_view& w) -> result<void> {
      for (const auto& [id, at] : expiring) {
        auto license = license_of(id, "", "tok-" + id, "k1");
        license.expires_at = at;
        if (id == "lic_4") license.status = license_status::suspended;
        if (auto put = w.license_insert(license); !put) return put;
      }
      auto theirs = license_of("lic_6", "", "tok-lic_6", "k1");
      theirs.partner_id = "par_2";
      theirs.expires_at = 3'500;
      if (auto put = w.license_insert(theirs); !put) return put;
      for (const auto* id : {"cus_1", "cus_2", "cus_3"})
        if (auto put = w.customer_insert(customer_of(id, std::string(id) + "@example.com")); !put) return put;
      return {};
    }));
    const auto ids = [](const auto& page) {
      std::vector<std::string> out;
      for (const auto& item : page.items) out.push_back(item.id);
      return out;
    };
    // Every page of a listing, `limit` at a time.
    const auto all_pages = [&](auto list, std::size_t limit) {
      std::vector<std::string> seen;
      page_request request{.limit = limit, .after = {}};
      for (int pages = 0; pages < 20; ++pages) {
        auto one = ok(list(request));
        CHECK(one.items.size() <= limit);
        for (const auto& id : ids(one)) seen.push_back(id);
        if (one.next.empty()) break;
        request.after = one.next;
      }
      return seen;
    };
    using ids_t = std::vector<std::string>;
    auto r = s.read();
    CHECK(all_pages([&](const page_request& p) { return r->licenses_list("par_1", p, order::newest_first); }, 2) ==
          ids_t{"lic_5", "lic_4", "lic_3", "lic_2", "lic_1"});
    CHECK(all_pages([&](const page_request& p) { return r->licenses_list("", p, order::newest_first); }, 4) ==
          ids_t{"lic_6", "lic_5", "lic_4", "lic_3", "lic_2", "lic_1"});
    CHECK(ids(ok(r->licenses_by_status("par_1", license_status::active, {}, order::newest_first))) ==
          ids_t{"lic_5", "lic_3", "lic_2", "lic_1"});
    CHECK(all_pages([&](const page_request& p) { return r->customers_list("par_1", p, order::newest_first); }, 2) ==
          ids_t{"cus_3", "cus_2", "cus_1"});

    // By expiry: ties by id, never last; a range leaves out what is outside it, its ends included.
    const auto by_expiry = [&](std::string partner, expiry_range range, order direction, std::size_t limit) {
      return all_pages([&](const page_request& p) { return r->licenses_by_expires(partner, range, p, direction); }, limit);
    };
    CHECK(by_expiry("par_1", {}, order::oldest_first, 2) == ids_t{"lic_2", "lic_5", "lic_4", "lic_1", "lic_3"});
    CHECK(by_expiry("par_1", {}, order::newest_first, 2) == ids_t{"lic_3", "lic_1", "lic_4", "lic_5", "lic_2"});
    CHECK(by_expiry("par_1", {3'000, 4'000}, order::oldest_first, 1) == ids_t{"lic_2", "lic_5", "lic_4"});
    CHECK(by_expiry("par_1", {3'000, 4'000}, order::newest_first, 1) == ids_t{"lic_4", "lic_5", "lic_2"});
    CHECK(by_expiry("par_1", {3'001, 0}, order::oldest_first, 10) == ids_t{"lic_4", "lic_1", "lic_3"});
    CHECK(by_expiry("par_1", {0, 2'999}, order::newest_first, 10).empty());
    CHECK(by_expiry("", {3'000, 3'500}, order::oldest_first, 10) == ids_t{"lic_2", "lic_5", "lic_6"});
    CHECK(by_expiry("par_2", {}, order::newest_first, 10) == ids_t{"lic_6"});

    // A new expiry moves the license; an erased one leaves the index.
    auto renewed = *ok(r->license_get("lic_2"));
    renewed.expires_at = 6'000;
    ok(s.commit([&](write_view& w) -> result<void> {
      if (auto put = w.license_put(renewed); !put) return put;
      return w.license_erase("lic_5");
    }));
    r = s.read();
    CHECK(by_expiry("par_1", {}, order::oldest_first, 10) == ids_t{"lic_4", "lic_1", "lic_2", "lic_3"});
    CHECK(by_expiry("", {0, 3'999}, order::oldest_first, 10) == ids_t{"lic_6"});
  });
}

TEST_CASE("the schedule follows a subscription's due time") {
  on_every_backend([](store_fixture& s) {
    subscription_record sub;
    sub.license_id = "lic_1";
    sub.term_end = 1000;
    ok(s.commit([&](write_view& w) { return w.subscription_put(sub, 1000); }));
    CHECK(sub.schedule_due == 1000);
    {
      auto r = s.read();
      CHECK(ok(r->schedule_due(999, 10)).empty());
      const auto due = ok(r->schedule_due(1000, 10));
      REQUIRE(due.size() == 1);
      CHECK(due[0].license_id == "lic_1");
      CHECK(ok(r->subscription_get("lic_1"))->schedule_due == 1000);
    }
    // Moved later: the old entry goes.
    ok(s.commit([&](write_view& w) { return w.subscription_put(sub, 2000); }));
    CHECK(ok(s.read()->schedule_due(1500, 10)).empty());
    CHECK(ok(s.read()->schedule_due(2000, 10)).size() == 1);

    subscription_record other;
    other.license_id = "lic_2";
    ok(s.commit([&](write_view& w) { return w.subscription_put(other, 1500); }));
    const auto both = ok(s.read()->schedule_due(5000, 10));
    REQUIRE(both.size() == 2);
    CHECK(both[0].license_id == "lic_2");  // earliest first
    CHECK(ok(s.read()->schedule_due(5000, 1)).size() == 1);

    ok(s.commit([](write_view& w) { return w.subscription_erase("lic_1"); }));
    CHECK_FALSE(ok(s.read()->subscription_get("lic_1")));
    CHECK(ok(s.read()->schedule_due(5000, 10)).size() == 1);
    ok(s.commit([](write_view& w) { return w.schedule_erase({1500, "lic_2"}); }));
    CHECK(ok(s.read()->schedule_due(5000, 10)).empty());
    CHECK(ok(s.read()->subscription_get("lic_2")));
  });
}

TEST_CASE("members, free slots, cap holds, re-sign tasks and idempotency records") {
  on_every_backend([](store_fixture& s) {
    ok(s.commit([](write_view& w) -> result<void> {
      for (const char* email : {"c@example.com", "a@example.com", "b@example.com"})
        if (auto put = w.member_insert("lic_1", member_of(email, 1)); !put) return put;
      if (auto put = w.free_slot_put("cus_1", {"app", "lic_1", 0}); !put) return put;
      if (auto put = w.free_slot_put("cus_1", {"tool", "lic_2", 900}); !put) return put;
      if (auto put = w.free_cap_hold_put("par_1", {300, "lic_3"}); !put) return put;
      if (auto put = w.free_cap_hold_put("par_1", {100, "lic_4"}); !put) return put;
      if (auto put = w.resign_task_put({"kid-1", 0, 50}); !put) return put;
      if (auto put = w.idempotency_put("old", {"h", 201, "{}", 10}); !put) return put;
      return w.idempotency_put("new", {"h", 200, "{}", 1000});
    }));
    {
      auto r = s.read();
      std::vector<std::string> emails;
      for (const auto& member : ok(r->members_of("lic_1"))) emails.push_back(member.email);
      CHECK(emails == std::vector<std::string>{"a@example.com", "b@example.com", "c@example.com"});
      CHECK(ok(r->members_count("lic_1")) == 3);
      CHECK(ok(r->free_slot_get("cus_1", "tool"))->held_until == 900);
      CHECK(ok(r->free_slots_of("cus_1")).size() == 2);
      const auto holds = ok(r->free_cap_holds_before("par_1", 400, 10));
      REQUIRE(holds.size() == 2);
      CHECK(holds[0].license_id == "lic_4");
      CHECK(ok(r->free_cap_holds_before("par_1", 200, 10)).size() == 1);
      CHECK(ok(r->resign_tasks()).at(0).kid == "kid-1");
      CHECK(ok(r->idempotency_get("old"))->status == 201);
    }
    ok(s.commit([](write_view& w) -> result<void> {
      if (auto put = w.member_erase("lic_1", "b@example.com"); !put) return put;
      if (auto put = w.free_slot_erase("cus_1", "app"); !put) return put;
      if (auto put = w.free_cap_hold_erase("par_1", {100, "lic_4"}); !put) return put;
      if (auto put = w.resign_task_put({"kid-1", 256, 50}); !put) return put;
      return w.idempotency_prune(500, 10);
    }));
    auto r = s.read();
    CHECK(ok(r->members_count("lic_1")) == 2);
    CHECK_FALSE(ok(r->free_slot_get("cus_1", "app")));
    CHECK(ok(r->free_cap_holds_before("par_1", 400, 10)).size() == 1);
    CHECK(ok(r->resign_tasks()).at(0).licenses_resigned == 256);
    CHECK_FALSE(ok(r->idempotency_get("old")));
    CHECK(ok(r->idempotency_get("new")));
    ok(s.commit([](write_view& w) { return w.resign_task_erase("kid-1"); }));
    CHECK(ok(s.read()->resign_tasks()).empty());
  });
}

TEST_CASE("what was committed survives closing and reopening the store") {
  on_every_backend([](store_fixture& s) {
    ok(s.commit([](write_view& w) -> result<void> {
      if (auto put = w.license_insert(license_of("lic_1", "cus_1", "token-a", "kid")); !put) return put;
      if (auto put = w.keyring_audited_version_set(7); !put) return put;
      audit_entry entry{0, 1, "operator", "test", "x"};
      return w.audit_append(entry).ok() ? result<void>{} : result<void>{errc::internal};
    }));
    s.reopen();
    auto r = s.read();
    CHECK(ok(r->license_get("lic_1"))->token == "token-a");
    CHECK(*ok(r->license_id_by_activation_key("KEY-lic_1")) == "lic_1");
    CHECK(ok(r->keyring_audited_version()) == 7);
    // The sequence continues after a reopen.
    ok(s.commit([](write_view& w) -> result<void> {
      audit_entry entry{0, 2, "operator", "test", "y"};
      auto seq = w.audit_append(entry);
      return seq && *seq == 2 ? result<void>{} : result<void>{errc::internal};
    }));
  });
}

TEST_CASE("people: one email per organisation, sessions by hash and by user, single-use tokens, keys by organisation") {
  on_every_backend([](store_fixture& s) {
    const auto user_of = [](std::string id, std::string partner_id) {
      server::user_record user;
      user.id = std::move(id);
      user.partner_id = std::move(partner_id);
      user.email = "ada@example.com";
      user.role = "global_admin";
      return user;
    };
    ok(s.commit([&](write_view& w) -> result<void> {
      if (auto put = w.user_insert(user_of("usr_1", "par_1")); !put) return put;
      if (auto put = w.user_insert(user_of("usr_2", "par_2")); !put) return put;  // the same email elsewhere
      auto operator_key = api_key_of("key_op", 3);
      operator_key.partner_id.clear();
      if (auto put = w.api_key_insert("hash-op", operator_key); !put) return put;
      return w.api_key_insert("hash-1", api_key_of("key_1", 4));
    }));
    CHECK(s.commit([&](write_view& w) { return w.user_insert(user_of("usr_3", "par_1")); }).error() == errc::conflict);
    CHECK(s.commit([&](write_view& w) {
      auto moved = user_of("usr_1", "par_2");
      return w.user_put(moved);
    }).error() == errc::conflict);  // a user's organisation never changes
    CHECK(s.commit([&](write_view& w) { return w.user_put(user_of("usr_9", "par_1")); }).error() == errc::not_found);

    server::session_record session;
    session.id = "ses_1";
    session.user_id = "usr_1";
    session.expires_at = 100;
    ok(s.commit([&](write_view& w) -> result<void> {
      if (auto put = w.session_put("session-hash-1", session); !put) return put;
      auto other = session;
      other.id = "ses_2";
      if (auto put = w.session_put("session-hash-2", other); !put) return put;
      return w.user_token_put("token-hash", {"usr_1", "invitation", 50});
    }));
    auto r = s.read();
    CHECK(ok(r->users_by_email("ada@example.com")).size() == 2);
    CHECK(ok(r->users_of("par_1")).size() == 1);
    CHECK(ok(r->users_of("")).empty());
    // A customer's people are their own organisation, beside their partner's staff.
    auto customer_person = user_of("usr_4", "par_1");
    customer_person.customer_id = "cus_1";
    customer_person.role = "customer_admin";
    ok(s.commit([&](write_view& w) { return w.user_insert(customer_person); }));
    CHECK(s.commit([&](write_view& w) {
      auto again = customer_person;
      again.id = "usr_5";
      return w.user_insert(again);
    }).error() == errc::conflict);
    CHECK(s.commit([&](write_view& w) {
      auto moved = customer_person;
      moved.customer_id = "cus_2";
      return w.user_put(moved);
    }).error() == errc::conflict);
    r = s.read();
    CHECK(ok(r->users_of("par_1")).size() == 1);
    REQUIRE(ok(r->users_of("cus_1")).size() == 1);
    CHECK(ok(r->users_of("cus_1")).at(0).id == "usr_4");
    CHECK(ok(r->session_by_hash("session-hash-1"))->id == "ses_1");
    CHECK(ok(r->sessions_of("usr_1")).size() == 2);
    CHECK(ok(r->user_token_get("token-hash"))->user_id == "usr_1");
    const auto operator_keys = ok(r->api_keys_list(""));
    REQUIRE(operator_keys.size() == 1);
    CHECK(operator_keys[0].id == "key_op");
    CHECK(ok(r->api_keys_list("par_1")).size() == 1);
    CHECK(ok(r->api_keys_list("par_2")).empty());

    ok(s.commit([&](write_view& w) -> result<void> {
      if (auto erased = w.session_erase("session-hash-1"); !erased) return erased;
      if (auto erased = w.session_erase("session-hash-1"); !erased) return erased;  // gone already: fine
      return w.user_token_erase("token-hash");
    }));
    r = s.read();
    CHECK_FALSE(ok(r->session_by_hash("session-hash-1")));
    CHECK(ok(r->sessions_of("usr_1")).size() == 1);
    CHECK_FALSE(ok(r->user_token_get("token-hash")));
  });
}

TEST_CASE("people: organisations' sign-in policies, and a user's second factor and devices round-trip") {
  on_every_backend([](store_fixture& s) {
    CHECK_FALSE(ok(s.read()->organisation_security_get("")).require_totp);  // never set: off
    ok(s.commit([&](write_view& w) -> result<void> {
      server::user_record user;
      user.id = "usr_1";
      user.partner_id = "par_1";
      user.email = "ada@example.com";
      user.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
      user.totp_last_step = 42;
      user.recovery_code_hashes = {"h1", "h2"};
      user.device_hashes = {"d1"};
      user.password_reset_hash = "r1";
      if (auto put = w.user_insert(user); !put) return put;
      return w.organisation_security_put("par_1", {true, 7, "user:usr_1"});
    }));
    s.reopen();
    auto r = s.read();
    const auto security = ok(r->organisation_security_get("par_1"));
    CHECK(security.require_totp);
    CHECK(security.updated_at == 7);
    CHECK(security.updated_by == "user:usr_1");
    CHECK_FALSE(ok(r->organisation_security_get("")).require_totp);  // the operators' is their own
    CHECK_FALSE(ok(r->organisation_security_get("par_2")).require_totp);
    const auto user = ok(r->user_get("usr_1"));
    REQUIRE(user);
    CHECK(user->totp_secret == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    CHECK(user->totp_last_step == 42);
    CHECK(user->recovery_code_hashes == std::vector<std::string>{"h1", "h2"});
    CHECK(user->device_hashes == std::vector<std::string>{"d1"});
    CHECK(user->password_reset_hash == "r1");
  });
}

TEST_CASE("licenses are tallied by status and kind as they are inserted, changed and erased") {
  on_every_backend([](store_fixture& s) {
    const auto tally_of = [&](license_status status, license_kind kind) {
      for (const auto& tally : ok(s.read()->license_tallies()))
        if (tally.status == status && tally.kind == kind) return tally.count;
      return std::uint64_t{0};
    };
    CHECK(ok(s.read()->license_tallies()).empty());
    auto first = license_of("lic_1", "cus_1", "token-a", "kid");
    auto second = license_of("lic_2", "cus_1", "token-b", "kid");
    second.kind = license_kind::free;
    ok(s.commit([&](write_view& w) -> result<void> {
      if (auto put = w.license_insert(first); !put) return put;
      return w.license_insert(second);
    }));
    CHECK(tally_of(license_status::active, license_kind::paid) == 1);
    CHECK(tally_of(license_status::active, license_kind::free) == 1);

    first.status = license_status::suspended;
    ok(s.commit([&](write_view& w) { return w.license_put(first); }));
    CHECK(tally_of(license_status::active, license_kind::paid) == 0);
    CHECK(tally_of(license_status::suspended, license_kind::paid) == 1);
    // A put that changes neither status nor kind leaves the tallies alone.
    first.email = "bob@example.com";
    ok(s.commit([&](write_view& w) { return w.license_put(first); }));
    CHECK(tally_of(license_status::suspended, license_kind::paid) == 1);

    ok(s.commit([&](write_view& w) { return w.license_erase("lic_2"); }));
    CHECK(tally_of(license_status::active, license_kind::free) == 0);
    // A job that fails takes its tally with it.
    CHECK_FALSE(s.commit([&](write_view& w) -> result<void> {
      if (auto put = w.license_insert(license_of("lic_3", "cus_1", "token-c", "kid")); !put) return put;
      return errc::conflict;
    }));
    CHECK(tally_of(license_status::active, license_kind::paid) == 0);
  });
}

TEST_CASE("a backup holds what was committed before it, with a manifest, and never overwrites a folder") {
  on_every_backend([](store_fixture& s) {
    ok(s.commit([](write_view& w) -> result<void> {
      if (auto put = w.license_insert(license_of("lic_1", "cus_1", "token-a", "kid")); !put) return put;
      audit_entry entry{0, 1, "operator", "test", "x"};
      return w.audit_append(entry).ok() ? result<void>{} : result<void>{errc::internal};
    }));
    const auto dir = std::filesystem::temp_directory_path() / ("licensor-backup-contract-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    const auto manifest = s.db().backup(dir);
    REQUIRE(manifest.ok());
    CHECK(manifest->counts.at("licenses") == 1);
    CHECK(manifest->counts.at("audit") == 1);
    CHECK(manifest->sha256.size() == 64);
    CHECK(manifest->bytes > 0);
    CHECK(std::filesystem::exists(dir / "manifest.json"));
    CHECK(nlohmann::json::parse(std::ifstream(dir / "manifest.json")).get<backup_manifest>().sha256 == manifest->sha256);
    CHECK(s.db().backup(dir).error() == errc::conflict);
    std::filesystem::remove_all(dir);
  });
}

TEST_CASE("the outbox: events numbered in commit order with no gaps, none from a failed job, kept across a reopen") {
  on_every_backend([](store_fixture& s) {
    const auto event_of = [](std::string id, std::string subject) {
      outbox_event event;
      event.id = std::move(id);
      event.type = "license.issued";
      event.occurred_at = 1'800'000'000;
      event.partner_id = "par_1";
      event.subject = std::move(subject);
      event.data = R"({"id":"lic_1"})";
      return event;
    };
    ok(s.commit([&](write_view& w) -> result<void> {
      auto first = event_of("evt_1", "license:lic_1");
      auto second = event_of("evt_2", "license:lic_2");
      auto one = w.outbox_append(first);
      auto two = w.outbox_append(second);
      if (!one || !two || *one != 1 || *two != 2 || first.seq != 1) return errc::internal;
      return {};
    }));
    CHECK_FALSE(s.commit([&](write_view& w) -> result<void> {
      auto lost = event_of("evt_lost", "license:lic_1");
      if (auto appended = w.outbox_append(lost); !appended) return appended.error();
      return errc::conflict;
    }));
    ok(s.commit([&](write_view& w) -> result<void> {
      auto third = event_of("evt_3", "license:lic_1");
      auto seq = w.outbox_append(third);
      return seq && *seq == 3 ? result<void>{} : result<void>{errc::internal};  // the failed job gave its number back
    }));
    s.reopen();
    auto r = s.read();
    const auto all = ok(r->outbox_after(0, 10));
    REQUIRE(all.size() == 3);
    CHECK(all[0].id == "evt_1");
    CHECK(all[1].subject == "license:lic_2");
    CHECK(all[2].id == "evt_3");
    CHECK(all[2].data == R"({"id":"lic_1"})");
    CHECK(all[2].occurred_at == 1'800'000'000);
    const auto later = ok(r->outbox_after(1, 1));
    REQUIRE(later.size() == 1);
    CHECK(later[0].seq == 2);
    CHECK(ok(r->outbox_after(3, 10)).empty());
  });
}

namespace {

std::vector<std::uint64_t> seqs_of(const std::vector<outbox_event>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& event : events) out.push_back(event.seq);
  return out;
}

}  // namespace

TEST_CASE("the outbox by id, by partner newest first, its newest seq, and pruning that keeps the newest event and never renumbers") {
  on_every_backend([](store_fixture& s) {
    ok(s.commit([&](write_view& w) -> result<void> {
      for (int i = 1; i <= 5; ++i) {
        outbox_event event;
        event.id = "evt_" + std::to_string(i);
        event.type = "license.issued";
        event.occurred_at = 1'000 * i;
        event.subject = "license:lic_" + std::to_string(i % 2);
        event.partner_id = i == 5 ? "" : i % 2 == 1 ? "par_1" : "par_12";  // par_1 is a prefix of par_12
        if (auto appended = w.outbox_append(event); !appended) return appended.error();
      }
      return {};
    }));
    {
      auto r = s.read();
      CHECK(ok(r->outbox_last_seq()) == 5);
      const auto third = ok(r->outbox_event_by_id("evt_3"));
      REQUIRE(third.has_value());
      CHECK(third->seq == 3);
      CHECK_FALSE(ok(r->outbox_event_by_id("evt_missing")).has_value());
      CHECK(seqs_of(ok(r->partner_events_recent("par_1", 10))) == std::vector<std::uint64_t>{3, 1});
      CHECK(seqs_of(ok(r->partner_events_recent("par_1", 1))) == std::vector<std::uint64_t>{3});
      CHECK(seqs_of(ok(r->partner_events_recent("par_12", 10))) == std::vector<std::uint64_t>{4, 2});
      CHECK(ok(r->partner_events_recent("", 10)).empty());  // the vendor's own events are no partner's
      CHECK(ok(r->partner_events_recent("par_12", 10)).at(0).id == "evt_4");
    }
    std::size_t removed = 0;
    // Through seq 4, before time 3500: events 1 to 3 go (4 is too recent).
    ok(s.commit([&](write_view& w) -> result<void> {
      auto pruned = w.outbox_prune(4, 3'500, 100);
      if (!pruned) return pruned.error();
      removed = *pruned;
      return {};
    }));
    CHECK(removed == 3);
    // However old, the newest event stays, so the next number is 6, not 1.
    ok(s.commit([&](write_view& w) -> result<void> {
      auto pruned = w.outbox_prune(100, 1'000'000, 100);
      if (!pruned) return pruned.error();
      removed = *pruned;
      outbox_event next;
      next.id = "evt_6";
      next.type = "license.issued";
      next.partner_id = "par_1";
      auto seq = w.outbox_append(next);
      return seq && *seq == 6 ? result<void>{} : result<void>{errc::internal};
    }));
    CHECK(removed == 1);
    auto r = s.read();
    CHECK_FALSE(ok(r->outbox_event_by_id("evt_3")).has_value());
    const auto left = ok(r->outbox_after(0, 10));
    REQUIRE(left.size() == 2);
    CHECK(left[0].seq == 5);
    CHECK(left[1].seq == 6);
    // Pruned events leave the partners' activity too.
    CHECK(seqs_of(ok(r->partner_events_recent("par_1", 10))) == std::vector<std::uint64_t>{6});
    CHECK(ok(r->partner_events_recent("par_12", 10)).empty());
  });
}

TEST_CASE("webhook endpoints, their waiting events by subject, and their delivery log, newest first") {
  on_every_backend([](store_fixture& s) {
    webhook_endpoint_record endpoint;
    endpoint.id = "whe_1";
    endpoint.partner_id = "par_1";
    endpoint.url = "https://hooks.example.com/a";
    endpoint.event_types = {"license.*"};
    endpoint.secret = "whsec_test";
    endpoint.cursor = 7;
    auto other = endpoint;
    other.id = "whe_2";
    other.partner_id = "";
    ok(s.commit([&](write_view& w) -> result<void> {
      if (auto put = w.webhook_endpoint_put(endpoint); !put) return put;
      if (auto put = w.webhook_endpoint_put(other); !put) return put;
      for (std::uint64_t seq : {3, 5, 9}) {
        const delivery_pending pending{"whe_1", seq, seq == 5 ? "license:b" : "license:a", 1, 100 + static_cast<std::int64_t>(seq), 50, "answered 503"};
        if (auto put = w.delivery_pending_put(pending); !put) return put;
      }
      if (auto put = w.delivery_pending_put({"whe_2", 4, "license:a", 0, 0, 0, ""}); !put) return put;
      for (std::uint32_t attempt = 1; attempt <= 3; ++attempt) {
        const delivery_attempt entry{"whe_1", "evt_3", 3, "license.issued", attempt, 1'000 * attempt, 503, 12, "answered 503", "retrying"};
        if (auto appended = w.delivery_log_append(entry); !appended) return appended;
      }
      const delivery_attempt elsewhere{"whe_2", "evt_4", 4, "license.issued", 1, 2'500, 200, 3, "", "delivered"};
      return w.delivery_log_append(elsewhere);
    }));
    {
      auto r = s.read();
      const auto stored = ok(r->webhook_endpoint_get("whe_1"));
      REQUIRE(stored.has_value());
      CHECK(stored->event_types == std::vector<std::string>{"license.*"});
      CHECK(stored->cursor == 7);
      CHECK(ok(r->webhook_endpoints()).size() == 2);
      const auto waiting = ok(r->deliveries_pending("whe_1", 10));
      REQUIRE(waiting.size() == 3);
      CHECK(waiting[0].seq == 3);
      CHECK(waiting[2].seq == 9);
      CHECK(waiting[1].last_error == "answered 503");
      CHECK(ok(r->deliveries_pending("whe_1", 2)).size() == 2);
      CHECK(ok(r->delivery_subject_head("whe_1", "license:a")) == std::optional<std::uint64_t>{3});
      CHECK(ok(r->delivery_subject_head("whe_1", "license:b")) == std::optional<std::uint64_t>{5});
      CHECK_FALSE(ok(r->delivery_subject_head("whe_1", "license:c")).has_value());
      const auto log = ok(r->delivery_log("whe_1", {10, {}}));
      REQUIRE(log.items.size() == 3);
      CHECK(log.items[0].attempt == 3);  // newest first
      CHECK(log.items[2].attempt == 1);
      const auto first_page = ok(r->delivery_log("whe_1", {2, {}}));
      REQUIRE(first_page.items.size() == 2);
      const auto second_page = ok(r->delivery_log("whe_1", {2, first_page.next}));
      REQUIRE(second_page.items.size() == 1);
      CHECK(second_page.items[0].attempt == 1);
    }
    std::size_t pruned = 0;
    ok(s.commit([&](write_view& w) -> result<void> {
      if (auto erased = w.delivery_pending_erase({"whe_1", 3, "license:a", 0, 0, 0, ""}); !erased) return erased;
      auto removed = w.delivery_log_prune(2'000, 100);  // attempt 1 (at 1000) only
      if (!removed) return removed.error();
      pruned = *removed;
      return {};
    }));
    CHECK(pruned == 1);
    {
      auto r = s.read();
      CHECK(ok(r->delivery_subject_head("whe_1", "license:a")) == std::optional<std::uint64_t>{9});
      CHECK(ok(r->delivery_log("whe_1", {10, {}})).items.size() == 2);
    }
    ok(s.commit([&](write_view& w) { return w.webhook_endpoint_erase("whe_1"); }));
    s.reopen();
    auto r = s.read();
    CHECK_FALSE(ok(r->webhook_endpoint_get("whe_1")).has_value());
    CHECK(ok(r->deliveries_pending("whe_1", 10)).empty());
    CHECK(ok(r->delivery_log("whe_1", {10, {}})).items.empty());
    CHECK_FALSE(ok(r->delivery_subject_head("whe_1", "license:a")).has_value());
    // The other endpoint's are untouched.
    CHECK(ok(r->deliveries_pending("whe_2", 10)).size() == 1);
    CHECK(ok(r->delivery_log("whe_2", {10, {}})).items.size() == 1);
  });
}

TEST_CASE("the expiry index follows licenses' expiry as they are inserted, changed and erased; sweeps keep their position") {
  on_every_backend([](store_fixture& s) {
    auto expiring = [](std::string id, std::int64_t at) {
      auto license = license_of(id, "cus_" + id, "token-" + id, "k");
      license.expires_at = at;
      return license;
    };
    ok(s.commit([&](write_view& w) -> result<void> {
      for (const auto& license : {expiring("lic_b", 2'000), expiring("lic_a", 2'000), expiring("lic_c", 1'000),
                                  expiring("lic_never", 0), expiring("lic_d", 5'000)})
        if (auto put = w.license_insert(license); !put) return put;
      return {};
    }));
    auto ids_of = [](const std::vector<expiry_entry>& entries) {
      std::vector<std::string> out;
      for (const auto& entry : entries) out.push_back(entry.license_id);
      return out;
    };
    {
      auto r = s.read();
      const auto all = ok(r->licenses_by_expiry("", 4'000, 10));
      CHECK(ids_of(all) == std::vector<std::string>{"lic_c", "lic_a", "lic_b"});  // by expiry, then id; never-expiring absent
      CHECK(all[0].expires_at == 1'000);
      CHECK(ids_of(ok(r->licenses_by_expiry(all[0].position, 4'000, 10))) == std::vector<std::string>{"lic_a", "lic_b"});
      CHECK(ids_of(ok(r->licenses_by_expiry("", 4'000, 2))) == std::vector<std::string>{"lic_c", "lic_a"});
      CHECK(ok(r->sweep_position("expired")).empty());
    }
    ok(s.commit([&](write_view& w) -> result<void> {
      if (auto put = w.license_put(expiring("lic_c", 3'000)); !put) return put;  // renewed
      if (auto put = w.license_put(expiring("lic_never", 1'500)); !put) return put;
      if (auto erased = w.license_erase("lic_a"); !erased) return erased;
      return w.sweep_position_set("expired", "somewhere");
    }));
    s.reopen();
    auto r = s.read();
    CHECK(ids_of(ok(r->licenses_by_expiry("", 10'000, 10))) == std::vector<std::string>{"lic_never", "lic_b", "lic_c", "lic_d"});
    CHECK(ok(r->sweep_position("expired")) == "somewhere");
  });
}

TEST_CASE("the compliance sweep's record and campaigns round-trip; campaigns are listed oldest first") {
  on_every_backend([](store_fixture& s) {
    {
      auto r = s.read();
      CHECK(ok(r->compliance_sweep_get()).started_at == 0);
      CHECK(ok(r->campaigns_list()).empty());
      CHECK_FALSE(ok(r->campaign_get("cmp_1")).has_value());
    }
    compliance_sweep_record sweep;
    sweep.running = true;
    sweep.cursor = "lic_9";
    sweep.current.flagged = 3;
    sweep.current.admitted = 2;
    campaign_record older;
    older.id = "cmp_1";
    older.product = "editor";
    older.conditions.min_version_seen = "20";
    older.status = campaign_status::open;
    campaign_record newer;
    newer.id = "cmp_2";
    newer.cursor = "lic_4";
    ok(s.commit([&](write_view& w) -> result<void> {
      if (auto put = w.compliance_sweep_put(sweep); !put) return put;
      if (auto put = w.campaign_put(newer); !put) return put;
      return w.campaign_put(older);
    }));
    s.reopen();
    auto r = s.read();
    const auto kept = ok(r->compliance_sweep_get());
    CHECK(kept.running);
    CHECK(kept.cursor == "lic_9");
    CHECK(kept.current == sweep.current);
    const auto campaigns = ok(r->campaigns_list());
    REQUIRE(campaigns.size() == 2);
    CHECK(campaigns[0].id == "cmp_1");
    CHECK(campaigns[0].status == campaign_status::open);
    CHECK(campaigns[0].conditions.min_version_seen == "20");
    CHECK(campaigns[1].cursor == "lic_4");
    CHECK(ok(r->campaign_get("cmp_2"))->status == campaign_status::draft);
  });
}

TEST_CASE("mail settings default to empty and round-trip; replaced templates by name and language, listed and erased") {
  on_every_backend([](store_fixture& s) {
    {
      auto r = s.read();
      CHECK(ok(r->mail_settings_get()).sender.empty());
      CHECK(ok(r->mail_templates()).empty());
      CHECK_FALSE(ok(r->mail_template_get("delivery_letter", "es")).has_value());
    }
    mail_settings_record settings;
    settings.sender = "licenses@vendor.example";
    settings.operator_email = "ops@vendor.example";
    settings.updated_at = 42;
    const mail_template_record es{"delivery_letter", "es", "Su licencia", "texto", "<p>html</p>", 7, "operator"};
    const mail_template_record it{"delivery_letter", "it", "La Sua licenza", "testo", "<p>html</p>", 8, "operator"};
    const mail_template_record trial{"trial_ending", "en", "Trial", "text", "<p>t</p>", 9, "operator"};
    ok(s.commit([&](write_view& w) -> result<void> {
      if (auto put = w.mail_settings_put(settings); !put) return put;
      for (const auto& one : {trial, it, es})
        if (auto put = w.mail_template_put(one); !put) return put;
      return {};
    }));
    s.reopen();
    {
      auto r = s.read();
      const auto stored = ok(r->mail_settings_get());
      CHECK(stored.sender == "licenses@vendor.example");
      CHECK(stored.operator_email == "ops@vendor.example");
      CHECK(stored.updated_at == 42);
      const auto found = ok(r->mail_template_get("delivery_letter", "es"));
      REQUIRE(found.has_value());
      CHECK(found->subject == "Su licencia");
      CHECK(found->html == "<p>html</p>");
      CHECK_FALSE(ok(r->mail_template_get("delivery_letter", "en")).has_value());
      std::vector<std::string> listed;
      for (const auto& one : ok(r->mail_templates())) listed.push_back(one.name + "/" + one.language);
      CHECK(listed == std::vector<std::string>{"delivery_letter/es", "delivery_letter/it", "trial_ending/en"});
    }
    ok(s.commit([&](write_view& w) { return w.mail_template_erase("delivery_letter", "it"); }));
    auto r = s.read();
    CHECK_FALSE(ok(r->mail_template_get("delivery_letter", "it")).has_value());
    CHECK(ok(r->mail_templates()).size() == 2);
  });
}

TEST_CASE("what only a move reads: every token binding, single-use token, idempotency record, import reference and sweep position, paged in key order") {
  on_every_backend([](store_fixture& s) {
    ok(s.commit([](write_view& w) -> result<void> {
      for (const char* hash : {"cc", "aa", "bb"}) {
        if (auto put = w.token_binding_put(hash, {"lic_1", "kid-1", "ada@example.com", std::string_view(hash) == "bb"}); !put)
          return put;
        if (auto put = w.user_token_put(hash, {"usr_1", "invitation", 900}); !put) return put;
        if (auto put = w.idempotency_put(std::string("caller\nkey/") + hash, {"h", 201, "{\"id\":1}", 10}); !put) return put;
      }
      // An external id may hold '/'; a partner id that is a prefix of another sorts first.
      if (auto put = w.import_reference_put("par_12", "row-1", "lic_3"); !put) return put;
      if (auto put = w.import_reference_put("par_1", "a/b", "lic_1"); !put) return put;
      if (auto put = w.import_reference_put("par_1", "a", "lic_2"); !put) return put;
      if (auto put = w.sweep_position_set("expiry", "0000/lic_1"); !put) return put;
      if (auto put = w.sweep_position_set("lease/shared", "rep_1 until 5"); !put) return put;
      compliance_sweep_record sweep;
      sweep.cursor = "lic_9";
      return w.compliance_sweep_put(sweep);
    }));
    auto r = s.read();
    // Paged two at a time, each listing gives every record once, in key order.
    const auto all = [&](auto list) {
      decltype(ok(list(page_request{})).items) out;
      page_request request{2, {}};
      for (int pages = 0; pages < 10; ++pages) {
        auto one = ok(list(request));
        CHECK(one.items.size() <= 2);
        out.insert(out.end(), one.items.begin(), one.items.end());
        if (one.next.empty()) break;
        request.after = one.next;
      }
      return out;
    };
    const auto bindings = all([&](const page_request& p) { return r->token_bindings_list(p); });
    REQUIRE(bindings.size() == 3);
    CHECK(bindings[0].first == "aa");
    CHECK(bindings[1].first == "bb");
    CHECK(bindings[1].second.withdrawn);
    CHECK_FALSE(bindings[2].second.withdrawn);
    CHECK(bindings[2].second.kid == "kid-1");
    const auto tokens = all([&](const page_request& p) { return r->user_tokens_list(p); });
    REQUIRE(tokens.size() == 3);
    CHECK(tokens[2].first == "cc");
    CHECK(tokens[2].second.expires_at == 900);
    const auto replays = all([&](const page_request& p) { return r->idempotency_list(p); });
    REQUIRE(replays.size() == 3);
    CHECK(replays[0].first == "caller\nkey/aa");
    CHECK(replays[0].second.status == 201);
    CHECK(nlohmann::json::parse(replays[0].second.body) == nlohmann::json{{"id", 1}});
    const auto imports = all([&](const page_request& p) { return r->import_references_list(p); });
    REQUIRE(imports.size() == 3);
    CHECK(imports[0].external_id == "a");
    CHECK(imports[1].external_id == "a/b");
    CHECK(imports[1].license_id == "lic_1");
    CHECK(imports[2].partner_id == "par_12");
    // The compliance sweep's record is not a position.
    CHECK(ok(r->sweep_positions()) == std::vector<std::pair<std::string, std::string>>{
                                          {"expiry", "0000/lic_1"}, {"lease/shared", "rep_1 until 5"}});
  });
}

TEST_CASE("an event moved in keeps its seq, appends continue after it, and one below the newest is refused") {
  on_every_backend([](store_fixture& s) {
    const auto event_of = [](std::uint64_t seq, std::string id) {
      outbox_event event;
      event.seq = seq;
      event.id = std::move(id);
      event.type = "license.issued";
      event.partner_id = "par_1";
      event.subject = "license:lic_1";
      event.data = R"({"id":"lic_1"})";
      return event;
    };
    ok(s.commit([=](write_view& w) -> result<void> {
      if (auto put = w.outbox_restore(event_of(40, "evt_40")); !put) return put;
      return w.outbox_restore(event_of(42, "evt_42"));
    }));
    CHECK(s.commit([=](write_view& w) { return w.outbox_restore(event_of(41, "evt_41")); }).error() == errc::conflict);
    CHECK(s.commit([=](write_view& w) { return w.outbox_restore(event_of(42, "evt_other")); }).error() == errc::conflict);
    std::uint64_t appended = 0;
    ok(s.commit([&](write_view& w) -> result<void> {
      auto next = event_of(0, "evt_next");
      auto seq = w.outbox_append(next);
      if (!seq) return seq.error();
      appended = *seq;
      return {};
    }));
    CHECK(appended == 43);
    auto r = s.read();
    CHECK(ok(r->outbox_last_seq()) == 43);
    CHECK(seqs_of(ok(r->outbox_after(0, 10))) == std::vector<std::uint64_t>{40, 42, 43});
    CHECK(ok(r->outbox_event_by_id("evt_42"))->data == R"({"id":"lic_1"})");
    CHECK(seqs_of(ok(r->partner_events_recent("par_1", 10))) == std::vector<std::uint64_t>{43, 42, 40});
  });
}
