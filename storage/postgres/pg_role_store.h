// RoleStore over PostgreSQL (tables of migrations/V004__identity.sql).
#pragma once

#include <functional>
#include <pqxx/pqxx>

#include "storage/identity_store.h"
#include "storage/postgres/connection_pool.h"

namespace tokend::storage::pg {

class PgRoleStore final : public RoleStore {
 public:
  explicit PgRoleStore(ConnectionPool& pool) : pool_(pool) {}
  absl::Status CreateRole(const RoleRecord& role) override;
  absl::StatusOr<RoleRecord> GetRole(const std::string& name) override;
  absl::StatusOr<std::vector<RoleRecord>> ListRoles() override;
  absl::Status UpdateRole(const RoleRecord& role) override;
  absl::Status DeleteRole(const std::string& name) override;
  absl::Status SetManagedRoles(const std::string& name,
                               const std::vector<std::string>& managed) override;
  absl::StatusOr<bool> GrantRole(const std::string& user_id, const std::string& role,
                                 const RoleChangeActor& by) override;
  absl::StatusOr<bool> RevokeRole(const std::string& user_id, const std::string& role,
                                  const RoleChangeActor& by) override;
  absl::StatusOr<std::vector<UserRole>> ListUserRoles(const std::string& user_id) override;

 private:
  // Runs `change` in a transaction; NOT_FOUND when it touched no row.
  absl::Status ChangeOne(const std::function<pqxx::result(pqxx::work&)>& change);
  // Grant or revoke with its audit row.
  absl::StatusOr<bool> ChangeUserRole(bool grant, const std::string& user_id,
                                      const std::string& role, const RoleChangeActor& by);
  ConnectionPool& pool_;
};

}  // namespace tokend::storage::pg
