// The signing keys in PostgreSQL (table signing_keys, V002).
#pragma once

#include "storage/ledger.h"
#include "storage/postgres/connection_pool.h"

namespace tokend::storage::pg {

class PgKeyStore final : public KeyStore {
 public:
  explicit PgKeyStore(ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<std::vector<SigningKeyRecord>> ListKeys(Time now) override;
  absl::StatusOr<bool> RotateKey(const SigningKeyRecord& next,
                                 const std::string& expected_active_kid,
                                 int64_t publish_margin_seconds) override;
  absl::StatusOr<int> PurgeKeys(Time before) override;

 private:
  ConnectionPool& pool_;
};

}  // namespace tokend::storage::pg
