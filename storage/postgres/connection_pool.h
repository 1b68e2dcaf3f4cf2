// A fixed set of libpqxx connections with prepared statements, handed out one
// caller at a time. A broken connection is dropped and reopened on its next
// use; while PostgreSQL is unreachable, callers fail fast with UNAVAILABLE
// instead of queueing behind connection attempts.
#pragma once

#include <chrono>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"

#include <pqxx/pqxx>

namespace tokend::storage::pg {

class ConnectionPool {
 public:
  struct Options {
    std::string dsn;
    int size = 8;
    std::chrono::milliseconds acquire_timeout{2000};
    std::chrono::milliseconds statement_timeout{5000};
    // After a failed connection attempt, further attempts wait this long;
    // calls in between fail at once.
    std::chrono::milliseconds retry_after{250};
  };

  explicit ConnectionPool(Options options);
  ~ConnectionPool();

  // Runs `work` on a healthy connection. UNAVAILABLE when PostgreSQL cannot
  // be reached, the pool is exhausted past acquire_timeout, or a statement
  // timed out; ALREADY_EXISTS on a unique violation; otherwise what `work`
  // returns, or INTERNAL for an unexpected database error (logged, never
  // shown to clients).
  absl::Status Run(const std::function<absl::Status(pqxx::connection&)>& work);

  // True when a trivial query succeeds now.
  bool Ping();

  // Counters for metrics and tests.
  int in_use() const;
  // Callers waiting for a free connection now.
  int waiting() const { return waiting_.load(std::memory_order_relaxed); }
  int size() const { return options_.size; }

 private:
  struct Slot;
  absl::Status Acquire(Slot** slot);
  void Release(Slot* slot, bool broken);
  absl::Status Connect(Slot& slot);

  Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Slot*> idle_;
  std::chrono::steady_clock::time_point down_until_{};
  std::atomic<int> waiting_{0};
};

}  // namespace tokend::storage::pg
