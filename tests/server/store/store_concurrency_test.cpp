// Serializable writes under contention: many threads read-modify-write one record through the
// port and no increment is lost; a cap checked and taken in one job is never overshot; every
// job's `done` runs exactly once; audit sequences stay gapless; a job run again after a rolled
// back run has its effect once.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "store_fixture.hpp"

using namespace licensor;
using namespace licensor::store;
using namespace licensor::store::testing;

TEST_CASE("concurrent read-modify-write jobs lose no update and never overshoot a cap") {
  for (const auto& kind : store_backends()) {
    INFO("backend: " << kind.name);
    store_fixture s(kind);
    partner_record partner;
    partner.id = "par_1";
    ok(s.commit([&](write_view& w) { return w.partner_put(partner); }));

    constexpr int threads = 16;
    constexpr int jobs_each = 50;
    constexpr std::uint32_t cap = 100;
    std::atomic<int> done_calls{0};
    std::atomic<int> taken{0};
    std::atomic<int> refused{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        for (int j = 0; j < jobs_each; ++j) {
          // A counter kept in a record (read, add one, write back) ...
          ok(s.commit([](write_view& w) -> result<void> {
            auto partner = w.partner_get("par_1");
            if (!partner || !*partner) return errc::internal;
            auto changed = **partner;
            ++changed.discount_percent;
            return w.partner_put(changed);
          }));
          // ... and a cap checked then taken, as the free-license rule does.
          const auto outcome = s.commit([](write_view& w) -> result<void> {
            auto count = w.free_cap_count("par_1");
            if (!count) return count.error();
            if (*count >= cap) return errc::partner_cap_reached;
            return w.free_cap_count_add("par_1", 1);
          });
          (outcome.ok() ? taken : refused)++;
          done_calls += 2;
        }
      });
    }
    for (auto& worker : workers) worker.join();
    auto r = s.read();
    CHECK(ok(r->partner_get("par_1"))->discount_percent == threads * jobs_each);
    CHECK(ok(r->free_cap_count("par_1")) == cap);
    CHECK(taken == static_cast<int>(cap));
    CHECK(refused == threads * jobs_each - static_cast<int>(cap));
    CHECK(done_calls == 2 * threads * jobs_each);
  }
}

TEST_CASE("each job's done runs exactly once, after the job's writes are visible") {
  for (const auto& kind : store_backends()) {
    INFO("backend: " << kind.name);
    store_fixture s(kind);
    constexpr int jobs = 500;
    std::vector<std::atomic<int>> calls(jobs);
    std::atomic<int> visible{0};
    std::atomic<int> finished{0};
    for (int i = 0; i < jobs; ++i) {
      s.db().submit(
          [i](write_view& w) { return w.idempotency_put("scope-" + std::to_string(i), {"h", 200, "{}", i}); },
          [&, i](result<void> outcome) {
            ++calls[i];
            auto view = s.db().read();
            if (outcome.ok() && view && (*view)->idempotency_get("scope-" + std::to_string(i)).ok() &&
                *(*view)->idempotency_get("scope-" + std::to_string(i)))
              ++visible;
            ++finished;
          });
    }
    while (finished.load() < jobs) std::this_thread::yield();
    for (int i = 0; i < jobs; ++i) CHECK(calls[i] == 1);
    CHECK(visible == jobs);
  }
}

TEST_CASE("a read view opened after a job committed sees it, also when views read ahead") {
  for (const auto& kind : store_backends()) {
    INFO("backend: " << kind.name);
    store_fixture s(kind);
    constexpr int threads = 8;
    constexpr int rounds = 40;
    std::atomic<int> stale{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (int r = 0; r < rounds; ++r) {
          const auto id = "cus_" + std::to_string(t) + "_" + std::to_string(r);
          customer_record customer;
          customer.id = id;
          customer.partner_id = "par_1";
          customer.email = id + "@example.com";
          if (!s.commit([customer](write_view& w) { return w.customer_insert(customer); }).ok()) {
            ++stale;
            continue;
          }
          auto ahead = s.read();
          ahead->read_ahead({.partner = "par_1", .product = "app", .customer = id});  // leaves the product unread
          auto seen = ahead->customer_get(id);
          if (!seen || !*seen) ++stale;
          ahead.reset();
          auto plain = s.read();
          auto again = plain->customer_get(id);
          if (!again || !*again) ++stale;
        }
      });
    }
    for (auto& worker : workers) worker.join();
    CHECK(stale == 0);
  }
}

TEST_CASE("audit sequences stay gapless under concurrent appends, some of them rolled back") {
  for (const auto& kind : store_backends()) {
    INFO("backend: " << kind.name);
    store_fixture s(kind);
    constexpr int threads = 16;
    constexpr int jobs_each = 40;
    std::atomic<int> committed{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (int j = 0; j < jobs_each; ++j) {
          const bool keep = (t + j) % 3 != 0;
          const auto outcome = s.commit([keep](write_view& w) -> result<void> {
            audit_entry entry{0, 1, "operator", "test", "x"};
            if (auto seq = w.audit_append(entry); !seq) return seq.error();
            return keep ? result<void>{} : result<void>{errc::conflict};
          });
          if (outcome.ok()) ++committed;
        }
      });
    }
    for (auto& worker : workers) worker.join();
    std::vector<std::uint64_t> seqs;
    page_request request{.limit = 500, .after = {}};
    for (;;) {
      auto one = ok(s.read()->audit_list(request, order::oldest_first));
      for (const auto& entry : one.items) seqs.push_back(entry.seq);
      if (one.next.empty()) break;
      request.after = one.next;
    }
    REQUIRE(seqs.size() == static_cast<std::size_t>(committed.load()));
    for (std::size_t i = 0; i < seqs.size(); ++i) CHECK(seqs[i] == i + 1);
  }
}

TEST_CASE("a job run twice, its first run rolled back, has its effect once") {
  for (const auto& kind : store_backends()) {
    INFO("backend: " << kind.name);
    store_fixture s(kind);
    // What a backend with concurrent writers does on a conflict: run the same job again.
    int runs = 0;
    const licensor::store::store::job work = [&runs](write_view& w) -> result<void> {
      ++runs;
      customer_record customer;
      customer.id = "cus_1";
      customer.email = "ada@example.com";
      if (auto put = w.customer_insert(customer); !put) return put;
      if (auto added = w.free_cap_count_add("par_1", 1); !added) return added;
      audit_entry entry{0, 1, "partner:par_1", "customer.create", "cus_1"};
      if (auto seq = w.audit_append(entry); !seq) return seq.error();
      return runs == 1 ? result<void>{errc::conflict} : result<void>{};
    };
    // The store may itself run a failed job again (LMDB's group commit does, without the others
    // of its batch); the caller re-submits until it is through.
    result<void> outcome = errc::conflict;
    for (int submitted = 0; submitted < 3 && !outcome; ++submitted) outcome = s.commit(work);
    ok(outcome);
    CHECK(runs >= 2);
    auto r = s.read();
    CHECK(*ok(r->customer_id_by_email("ada@example.com")) == "cus_1");
    CHECK(ok(r->free_cap_count("par_1")) == 1);
    const auto audit = ok(r->audit_list({}, order::oldest_first)).items;
    REQUIRE(audit.size() == 1);
    CHECK(audit[0].seq == 1);
  }
}
