#include "storage/postgres/pg_audit_log.h"

#include <vector>

#include <pqxx/pqxx>

#include "services/logging/log.h"
#include "storage/postgres/row_codec.h"
#include "storage/postgres/statements.h"

namespace tokend::storage::pg {

PgAuditLog::PgAuditLog(ConnectionPool& pool, size_t max_queued)
    : pool_(pool), max_queued_(max_queued), thread_([this] { Loop(); }) {}

PgAuditLog::~PgAuditLog() { Flush(); }

void PgAuditLog::Flush() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void PgAuditLog::Append(AuditEvent event) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= max_queued_) {
      dropped_.Add();
      return;
    }
    queue_.push_back(std::move(event));
  }
  cv_.notify_one();
}

void PgAuditLog::Loop() {
  for (;;) {
    std::deque<AuditEvent> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      batch.swap(queue_);
    }
    std::vector<std::string> events, clients, users, families, details;
    for (AuditEvent& e : batch) {
      events.push_back(std::move(e.event));
      clients.push_back(std::move(e.client_id));
      users.emplace_back();
      families.emplace_back();
      details.push_back(std::move(e.detail));
    }
    absl::Status st = pool_.Run([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      tx.exec_prepared(stmt::kInsertAudit, TextArray(events), TextArray(clients),
                       TextArray(users), TextArray(families), TextArray(details));
      tx.commit();
      return absl::OkStatus();
    });
    if (!st.ok()) {
      dropped_.Add(batch.size());
      logging::Warn("audit rows dropped")
          .Int("rows", static_cast<int64_t>(batch.size()))
          .Str("error", st.message());
    }
  }
}

}  // namespace tokend::storage::pg
