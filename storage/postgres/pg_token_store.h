#pragma once

#include "storage/ledger.h"
#include "storage/postgres/connection_pool.h"
#include "storage/postgres/group_commit_writer.h"

namespace tokend::storage::pg {

class PgTokenStore final : public TokenStore {
 public:
  PgTokenStore(ConnectionPool& pool, GroupCommitWriter& writer) : pool_(pool), writer_(writer) {}

  void RecordTokens(std::vector<TokenRecord> tokens,
                    std::function<void(absl::Status)> done) override;
  absl::StatusOr<std::vector<std::string>> OpenSession(const NewSession& session,
                                                       int max_sessions) override;
  absl::StatusOr<RefreshResult> RotateRefreshToken(
      const std::string& digest, const std::string& client_id, Time now,
      const std::function<absl::StatusOr<Rotation>(const TokenRecord&)>& mint) override;
  absl::StatusOr<TokenState> FindToken(const std::string& digest) override;
  absl::Status RevokeToken(const std::string& digest, const std::string& reason) override;
  absl::Status RevokeFamily(const std::string& family_id, const std::string& reason) override;
  absl::StatusOr<int> PurgeExpired(Time before, int batch) override;

 private:
  ConnectionPool& pool_;
  GroupCommitWriter& writer_;
};

}  // namespace tokend::storage::pg
