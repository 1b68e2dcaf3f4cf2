#pragma once

#include <functional>
#include <pqxx/pqxx>

#include "storage/ledger.h"
#include "storage/postgres/connection_pool.h"

namespace tokend::storage::pg {

class PgUserStore final : public UserStore {
 public:
  explicit PgUserStore(ConnectionPool& pool) : pool_(pool) {}
  absl::Status CreateUser(const UserRecord& user) override;
  absl::StatusOr<UserRecord> GetUser(const std::string& id) override;
  absl::StatusOr<UserRecord> GetUserByUsername(const std::string& username) override;
  absl::StatusOr<UserRecord> GetUserByEmail(const std::string& email) override;
  absl::StatusOr<std::vector<UserRecord>> ListUsers(const PageRequest& page) override;
  absl::Status UpdateUser(const UserRecord& user) override;
  absl::Status SetPasswordHash(const std::string& id, const std::string& hash) override;
  absl::Status DeleteUser(const std::string& id) override;

 private:
  absl::StatusOr<UserRecord> GetOne(const char* statement, const std::string& key);
  absl::Status ChangeOne(const std::function<pqxx::result(pqxx::work&)>& change);
  ConnectionPool& pool_;
};

}  // namespace tokend::storage::pg
