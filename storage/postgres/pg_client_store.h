#pragma once

#include "storage/ledger.h"
#include "storage/postgres/connection_pool.h"

namespace tokend::storage::pg {

class PgClientStore final : public ClientStore {
 public:
  explicit PgClientStore(ConnectionPool& pool) : pool_(pool) {}
  absl::Status CreateClient(const ClientRecord& client) override;
  absl::StatusOr<ClientRecord> GetClient(const std::string& client_id) override;
  absl::StatusOr<std::vector<ClientRecord>> ListClients(const PageRequest& page) override;
  absl::Status UpdateClient(const ClientRecord& client) override;
  absl::Status DeleteClient(const std::string& client_id) override;
  absl::Status SetClientSecretDigest(const std::string& client_id,
                                     const std::string& digest) override;

 private:
  ConnectionPool& pool_;
};

}  // namespace tokend::storage::pg
