// Registers roles and badges and gives them to users, for the admin API
// (Blender ID's admin pages). Role changes made here are audited with the
// actor "admin".
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/identity_store.h"
#include "storage/ledger.h"

namespace tokend {

class RoleRegistry {
 public:
  RoleRegistry(storage::RoleStore& roles, storage::UserStore& users)
      : roles_(roles), users_(users) {}

  // INVALID_ARGUMENT for a malformed field, ALREADY_EXISTS for a taken name,
  // NOT_FOUND when a role in `manages` does not exist (the new role is then
  // deleted again: nothing is left behind).
  absl::StatusOr<storage::RoleRecord> Create(storage::RoleRecord role);
  absl::StatusOr<storage::RoleRecord> Get(const std::string& name);
  absl::StatusOr<std::vector<storage::RoleRecord>> List();
  // Stores every field but name, manages and created_at. NOT_FOUND if absent.
  absl::StatusOr<storage::RoleRecord> Update(storage::RoleRecord role);
  absl::Status Delete(const std::string& name);
  // Replaces the roles `name` may manage. NOT_FOUND for an unknown role.
  absl::StatusOr<storage::RoleRecord> SetManagedRoles(const std::string& name,
                                                      const std::vector<std::string>& managed);

  // The user named by id, else by username. NOT_FOUND / INVALID_ARGUMENT
  // (neither given).
  absl::StatusOr<storage::UserRecord> FindUser(const std::string& user_id,
                                               const std::string& username);
  // Returns false when nothing changed (already held / not held). NOT_FOUND
  // for an unknown user or (grant) role.
  absl::StatusOr<bool> Grant(const std::string& user_id, const std::string& role);
  absl::StatusOr<bool> Revoke(const std::string& user_id, const std::string& role);
  // NOT_FOUND for an unknown user.
  absl::StatusOr<std::vector<storage::UserRole>> ListUserRoles(const std::string& user_id);

  // INVALID_ARGUMENT naming the first bad field, or OK. A name is 1-64
  // characters of [A-Za-z0-9_.-].
  static absl::Status Validate(const storage::RoleRecord& role);

 private:
  storage::RoleStore& roles_;
  storage::UserStore& users_;
};

}  // namespace tokend
