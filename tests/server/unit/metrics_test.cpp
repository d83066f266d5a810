// The metrics instruments and their text format (Prometheus 0.0.4): families whole with HELP and
// TYPE, labels escaped, histogram buckets cumulative with le as an upper bound.
#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include "metrics/metrics.hpp"

using namespace licensor::metrics;

TEST_CASE("counters render as one family per name, labels escaped") {
  registry metrics;
  metrics.counter_at("licensor_things_total", "Things", {{"kind", "a\"b\\c\nd"}}).add(3);
  metrics.counter_at("licensor_things_total", "Things", {{"kind", "plain"}}).add();
  const auto text = metrics.render();
  CHECK(text ==
        "# HELP licensor_things_total Things\n"
        "# TYPE licensor_things_total counter\n"
        "licensor_things_total{kind=\"a\\\"b\\\\c\\nd\"} 3\n"
        "licensor_things_total{kind=\"plain\"} 1\n");
  // The same labels find the same counter.
  CHECK(&metrics.counter_at("licensor_things_total", "Things", {{"kind", "plain"}}) ==
        &metrics.counter_at("licensor_things_total", "Things", {{"kind", "plain"}}));
}

TEST_CASE("a histogram counts a value on a bound into that bound's bucket, and above all bounds into +Inf only") {
  histogram latency({0.1, 1});
  latency.observe(0.1);   // le="0.1"
  latency.observe(0.5);   // le="1"
  latency.observe(1);     // le="1"
  latency.observe(7.25);  // +Inf
  const auto snapshot = latency.snapshot();
  CHECK(snapshot.cumulative == std::vector<std::uint64_t>{1, 3});
  CHECK(snapshot.count == 4);
  CHECK(snapshot.sum == doctest::Approx(8.85));

  exposition out;
  out.family("licensor_wait_seconds", exposition::kind::histogram, "Waits");
  out.sample({{"route", "/v1/x"}}, snapshot);
  CHECK(out.text() ==
        "# HELP licensor_wait_seconds Waits\n"
        "# TYPE licensor_wait_seconds histogram\n"
        "licensor_wait_seconds_bucket{route=\"/v1/x\",le=\"0.1\"} 1\n"
        "licensor_wait_seconds_bucket{route=\"/v1/x\",le=\"1\"} 3\n"
        "licensor_wait_seconds_bucket{route=\"/v1/x\",le=\"+Inf\"} 4\n"
        "licensor_wait_seconds_sum{route=\"/v1/x\"} 8.85\n"
        "licensor_wait_seconds_count{route=\"/v1/x\"} 4\n");
}

TEST_CASE("observations from many threads are all counted") {
  registry metrics;
  auto& requests = metrics.counter_at("licensor_requests_total", "Requests");
  auto& latency = metrics.histogram_at("licensor_latency_seconds", "Latency", histogram::latency_seconds());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) {
        requests.add();
        latency.observe(0.003);
      }
    });
  for (auto& thread : threads) thread.join();
  CHECK(requests.value() == 40'000);
  CHECK(latency.snapshot().count == 40'000);
}

TEST_CASE("collectors write their families after the instruments, at every render") {
  registry metrics;
  int scrapes = 0;
  metrics.collector_add([&](exposition& out) {
    out.family("licensor_scrapes", exposition::kind::gauge, "Renders so far");
    out.sample({}, ++scrapes);
  });
  CHECK(metrics.render() == "# HELP licensor_scrapes Renders so far\n# TYPE licensor_scrapes gauge\nlicensor_scrapes 1\n");
  CHECK(metrics.render().find("licensor_scrapes 2\n") != std::string::npos);
}
