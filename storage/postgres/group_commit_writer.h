// Batches concurrent token inserts into one transaction each, so that many
// grants share one durable commit (synchronous_commit stays on). A caller is
// answered only after its batch commits.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "services/metrics/metrics.h"
#include "storage/postgres/connection_pool.h"
#include "storage/records.h"

namespace tokend::storage::pg {

class GroupCommitWriter {
 public:
  struct Options {
    int writers = 2;          // concurrent committing transactions
    size_t max_batch = 512;   // tokens per transaction at most
  };

  GroupCommitWriter(ConnectionPool& pool, Options options);
  ~GroupCommitWriter();  // flushes what is queued, then stops

  // Queues `tokens` with one "token.issued" audit row each; `done` runs on a
  // writer thread after the commit (or with the failure). A batch failing for
  // any reason but unavailability is retried request by request, so one bad
  // request cannot fail its neighbours.
  void Write(std::vector<TokenRecord> tokens, std::function<void(absl::Status)> done);

  // Stops taking writes, commits everything queued, joins the writers.
  void Flush();

  // Rows per committed batch and commit latency (for /metrics).
  const metrics::Histogram& batch_rows() const { return batch_rows_; }
  const metrics::Histogram& commit_seconds() const { return commit_seconds_; }

  // Counters for metrics and benchmarks.
  uint64_t commits() const { return commits_.load(); }
  uint64_t tokens_written() const { return tokens_.load(); }

 private:
  struct Pending {
    std::vector<TokenRecord> tokens;
    std::function<void(absl::Status)> done;
  };
  void Loop();
  absl::Status Commit(const std::vector<const TokenRecord*>& rows);

  ConnectionPool& pool_;
  Options options_;
  metrics::Histogram batch_rows_{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}};
  metrics::Histogram commit_seconds_{metrics::LatencyBuckets()};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  int idle_writers_ = 0;  // waiting on cv_; a write wakes one only if any
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> tokens_{0};
};

}  // namespace tokend::storage::pg
