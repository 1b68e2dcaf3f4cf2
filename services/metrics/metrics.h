// A small Prometheus exposition layer (text format 0.0.4). No Prometheus
// client library ships in Debian here. Counters and histograms are plain
// relaxed atomics: recording never locks or allocates. Label sets are fixed
// when a series is created (at startup), so the hot path only indexes.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace tokend::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Cumulative buckets with fixed upper bounds (Prometheus `le`).
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound, then +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1 (the +Inf one)
  std::atomic<uint64_t> sum_micros_{0};               // sum in millionths of the unit
};

// Latency buckets in seconds, 100 µs to 10 s.
std::vector<double> LatencyBuckets();

// Writes the text format. Names must match [a-zA-Z_:][a-zA-Z0-9_:]*;
// label values are escaped here.
class Exposition {
 public:
  // HELP and TYPE lines; once per metric family, before its samples.
  void Family(absl::string_view name, absl::string_view type, absl::string_view help);
  void Sample(absl::string_view name, const Labels& labels, double value);
  void Sample(absl::string_view name, const Labels& labels, uint64_t value);
  // The _bucket, _sum and _count series of one histogram.
  void HistogramSamples(absl::string_view name, const Labels& labels, const Histogram& h);
  const std::string& text() const { return out_; }

 private:
  void Series(absl::string_view name, const Labels& labels);
  std::string out_;
};

// What /metrics shows: every part of tokend registers a collector that
// writes its families. Collectors are added at startup; rendering locks only
// against concurrent registration.
class Registry {
 public:
  using Collector = std::function<void(Exposition&)>;
  void Add(Collector collector);
  std::string Render() const;

 private:
  mutable std::mutex mu_;
  std::vector<Collector> collectors_;
};

// The process's resident memory and open file descriptors (Linux /proc).
void CollectProcess(Exposition& out);

}  // namespace tokend::metrics
