// AuditStore and TokenAdminStore over PostgreSQL (the SQL: admin_queries.h).
#pragma once

#include "storage/admin_store.h"
#include "storage/postgres/connection_pool.h"

namespace tokend::storage::pg {

class PgAdminStore final : public AuditStore, public TokenAdminStore {
 public:
  explicit PgAdminStore(ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<std::vector<AuditEventRecord>> ListAuditEvents(const AuditQuery& q) override;
  absl::StatusOr<std::vector<TokenRecord>> ListTokens(const TokenQuery& q) override;
  absl::StatusOr<std::pair<int64_t, int64_t>> CountLive(const TokenOwner& owner) override;
  absl::StatusOr<RevokedBatch> RevokeBatch(const TokenOwner& owner, int batch,
                                           const std::string& detail) override;

 private:
  ConnectionPool& pool_;
};

}  // namespace tokend::storage::pg
