// AuditLog on PostgreSQL: one background thread writes queued rows in
// batches, so callers never wait for the ledger.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "services/metrics/metrics.h"
#include "storage/ledger.h"
#include "storage/postgres/connection_pool.h"

namespace tokend::storage::pg {

class PgAuditLog final : public AuditLog {
 public:
  // At most `max_queued` rows wait; more are dropped.
  PgAuditLog(ConnectionPool& pool, size_t max_queued = 10000);
  ~PgAuditLog() override;  // Flush()

  void Append(AuditEvent event) override;

  // Writes what is queued, then stops (later rows are dropped).
  void Flush();

  // Rows dropped (queue full, or the ledger refused the batch).
  uint64_t dropped() const { return dropped_.Value(); }

 private:
  void Loop();

  ConnectionPool& pool_;
  size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<AuditEvent> queue_;
  bool stopping_ = false;
  metrics::Counter dropped_;
  std::thread thread_;
};

}  // namespace tokend::storage::pg
