// Serializable writes under contention: many threads read-modify-write one record through the
// port and no increment is lost; a cap checked and taken in one job is never overshot; every
// job's `done` runs exactly once.
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
