#include "metrics/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace licensor::metrics {

namespace {

// Label values are escaped as the text format asks: backslash, double quote and newline.
void label_value_append(std::string& out, const std::string& value) {
  for (const char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

void labels_append(std::string& out, const labels& with, const std::string& extra_name = {},
                   const std::string& extra_value = {}) {
  if (with.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  for (const auto& [name, value] : with) {
    if (!first) out += ',';
    first = false;
    out += name + "=\"";
    label_value_append(out, value);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    out += extra_name + "=\"" + extra_value + '"';
  }
  out += '}';
}

std::string number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    char text[32];
    std::snprintf(text, sizeof text, "%.0f", value);
    return text;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

constexpr double micro = 1e6;

}  // namespace

histogram::histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void histogram::observe(double value) noexcept {
  const auto slot = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  buckets_[slot].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (value > 0) sum_micro_.fetch_add(static_cast<std::uint64_t>(std::llround(value * micro)), std::memory_order_relaxed);
}

histogram_snapshot histogram::snapshot() const {
  histogram_snapshot out;
  out.bounds = bounds_;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out.cumulative.push_back(running);
  }
  // Read apart from the buckets, a concurrent observation may be in one and not yet in the
  // other: the count is the buckets' total, so the +Inf bucket always equals it.
  out.count = running + buckets_[bounds_.size()].load(std::memory_order_relaxed);
  out.sum = static_cast<double>(sum_micro_.load(std::memory_order_relaxed)) / micro;
  return out;
}

std::vector<double> histogram::latency_seconds() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> histogram::sizes() { return {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}; }

void exposition::family(const std::string& name, kind type, const std::string& help) {
  family_ = name;
  text_ += "# HELP " + name + ' ' + help + '\n';
  text_ += "# TYPE " + name + ' ';
  text_ += type == kind::counter ? "counter\n" : type == kind::gauge ? "gauge\n" : "histogram\n";
}

void exposition::sample(const labels& with, double value) {
  text_ += family_;
  labels_append(text_, with);
  text_ += ' ' + number(value) + '\n';
}

void exposition::sample(const labels& with, const histogram_snapshot& histogram) {
  for (std::size_t i = 0; i < histogram.bounds.size(); ++i) {
    text_ += family_ + "_bucket";
    labels_append(text_, with, "le", number(histogram.bounds[i]));
    text_ += ' ' + std::to_string(histogram.cumulative[i]) + '\n';
  }
  text_ += family_ + "_bucket";
  labels_append(text_, with, "le", "+Inf");
  text_ += ' ' + std::to_string(histogram.count) + '\n';
  text_ += family_ + "_sum";
  labels_append(text_, with);
  text_ += ' ' + number(histogram.sum) + '\n';
  text_ += family_ + "_count";
  labels_append(text_, with);
  text_ += ' ' + std::to_string(histogram.count) + '\n';
}

counter& registry::counter_at(const std::string& name, const std::string& help, const labels& with) {
  std::lock_guard lock(mutex_);
  auto& family = counters_[name];
  family.help = help;
  auto& member = family.members[with];
  if (!member) member = std::make_unique<counter>();
  return *member;
}

histogram& registry::histogram_at(const std::string& name, const std::string& help, const std::vector<double>& bounds,
                                  const labels& with) {
  std::lock_guard lock(mutex_);
  auto& family = histograms_[name];
  family.help = help;
  auto& member = family.members[with];
  if (!member) member = std::make_unique<histogram>(bounds);
  return *member;
}

void registry::collector_add(std::function<void(exposition&)> write) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(write));
}

std::string registry::render() const {
  exposition out;
  std::vector<std::function<void(exposition&)>> collectors;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, family] : counters_) {
      out.family(name, exposition::kind::counter, family.help);
      for (const auto& [with, member] : family.members) out.sample(with, static_cast<double>(member->value()));
    }
    for (const auto& [name, family] : histograms_) {
      out.family(name, exposition::kind::histogram, family.help);
      for (const auto& [with, member] : family.members) out.sample(with, member->snapshot());
    }
    collectors = collectors_;
  }
  // Outside the lock: a collector reads other parts of the process (the store, the jobs).
  for (const auto& write : collectors) write(out);
  return out.text();
}

}  // namespace licensor::metrics
