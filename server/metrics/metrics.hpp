// Instruments for GET /metrics (Prometheus text format 0.0.4): counters and histograms that any
// layer updates on its hot path, and a registry that renders them together with the values
// read only when scraped (store size, licenses by status, jobs' last run).
//
// Updating an instrument is a few relaxed atomic additions: no lock, no allocation. Finding a
// labelled instrument (registry::counter_at, histogram_at) takes a lock and may allocate:
// callers on a hot path look theirs up once and keep the reference, which stays valid for the
// registry's lifetime.
//
// Thread safety: every member function may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace licensor::metrics {

/// Label names and values, in the order they are rendered.
using labels = std::vector<std::pair<std::string, std::string>>;

/// A monotonically increasing count.
class counter {
 public:
  void add(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

/// What a histogram held at one moment: cumulative counts per upper bound (the last one is
/// +Inf, i.e. `count`), and the sum of the observed values.
struct histogram_snapshot {
  std::vector<double> bounds;
  std::vector<std::uint64_t> cumulative;  ///< one per bound
  std::uint64_t count = 0;
  double sum = 0;
};

/// Observations counted into buckets with fixed upper bounds (ascending).
class histogram {
 public:
  explicit histogram(std::vector<double> bounds);
  void observe(double value) noexcept;
  [[nodiscard]] histogram_snapshot snapshot() const;

  /// Bounds for request and commit latencies in seconds: 100 µs to 10 s.
  [[nodiscard]] static std::vector<double> latency_seconds();
  /// Bounds for sizes counted in items (a commit's batch): 1 to 1024, by powers of two.
  [[nodiscard]] static std::vector<double> sizes();

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  ///< per bound, not cumulative; last is +Inf
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_micro_{0};  ///< the sum in millionths: an atomic double has no fetch_add here
};

/// Writes families in the text format. Each family is written whole, HELP and TYPE first.
class exposition {
 public:
  enum class kind { counter, gauge, histogram };
  /// Starts family `name` (licensor_… with the unit last, counters ending in _total).
  void family(const std::string& name, kind type, const std::string& help);
  /// One sample of the family just started (for counters and gauges).
  void sample(const labels& with, double value);
  /// One labelled histogram of the family just started.
  void sample(const labels& with, const histogram_snapshot& histogram);
  [[nodiscard]] const std::string& text() const noexcept { return text_; }

 private:
  std::string text_;
  std::string family_;
};

/// The instruments of one process, by family and labels, and the families computed when scraped.
class registry {
 public:
  /// The counter of family `name` with `with` labels, created on first use.
  counter& counter_at(const std::string& name, const std::string& help, const labels& with = {});
  /// The histogram of family `name` with `with` labels, created with `bounds` on first use.
  histogram& histogram_at(const std::string& name, const std::string& help, const std::vector<double>& bounds,
                          const labels& with = {});
  /// Adds families written at every scrape (values read from elsewhere). `write` must be quick
  /// and may be called from any thread; it writes whole families.
  void collector_add(std::function<void(exposition&)> write);
  /// Every family, counters and histograms first, then the collectors'.
  [[nodiscard]] std::string render() const;

 private:
  struct family_of_counters {
    std::string help;
    std::map<labels, std::unique_ptr<counter>> members;
  };
  struct family_of_histograms {
    std::string help;
    std::map<labels, std::unique_ptr<histogram>> members;
  };
  mutable std::mutex mutex_;
  std::map<std::string, family_of_counters> counters_;
  std::map<std::string, family_of_histograms> histograms_;
  std::vector<std::function<void(exposition&)>> collectors_;
};

}  // namespace licensor::metrics
