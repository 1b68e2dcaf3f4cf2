// Makes per-client rate limiting visible: every refused request is counted
// for /metrics (no per-client label: client ids are unbounded), and a
// `rate_limit.exceeded` audit row is written at most once per client per
// minute on this replica — never per refused request, which would let a
// flood of requests flood the audit log too.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "services/metrics/metrics.h"
#include "storage/ledger.h"

namespace tokend {

class RateLimitReporter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kAuditEvery{60};

  // `audit` may be null (metrics only).
  explicit RateLimitReporter(storage::AuditLog* audit = nullptr) : audit_(audit) {}

  // Notes one refused request of `client_id`. Never blocks on the ledger.
  void Exceeded(const std::string& client_id, Clock::time_point now = Clock::now());

  void Collect(metrics::Exposition& out) const;

 private:
  storage::AuditLog* audit_;
  metrics::Counter refused_;
  std::mutex mu_;
  absl::flat_hash_map<std::string, Clock::time_point> last_audit_;
};

}  // namespace tokend
