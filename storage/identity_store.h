// The identity ledger (Blender ID's roles and badges): roles, which roles each
// role may manage, and the roles each user holds. The PostgreSQL
// implementation is storage/postgres/pg_role_store.h.
//
// Error contract, as in storage/ledger.h: UNAVAILABLE when PostgreSQL cannot
// be reached; NOT_FOUND / ALREADY_EXISTS where stated; INTERNAL otherwise.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/records.h"

namespace tokend::storage {

// A role; a badge when `is_badge` (then label, description, image and link
// describe it publicly). Inactive roles count for nothing.
struct RoleRecord {
  std::string name;
  bool is_badge = false;
  bool is_active = true;
  std::string label;
  std::string description;
  std::string image_url;
  std::string link;
  int32_t image_width = 0;   // 0: unknown
  int32_t image_height = 0;  // 0: unknown
  std::vector<std::string> manages;  // roles a holder of this role may grant/revoke, sorted
  Time created_at{};
  Time updated_at{};
};

// A role a user holds.
struct UserRole {
  RoleRecord role;
  Time granted_at{};
};

// Who changed a user's roles, for the audit row.
struct RoleChangeActor {
  std::string client_id;  // the token's client; empty for the admin API
  std::string actor;      // e.g. "user:<id>" or "admin"
};

class RoleStore {
 public:
  virtual ~RoleStore() = default;

  // ALREADY_EXISTS if the name is taken. `manages` is ignored (SetManagedRoles).
  virtual absl::Status CreateRole(const RoleRecord& role) = 0;
  // NOT_FOUND if absent.
  virtual absl::StatusOr<RoleRecord> GetRole(const std::string& name) = 0;
  // Every role, by name.
  virtual absl::StatusOr<std::vector<RoleRecord>> ListRoles() = 0;
  // Replaces every field but name, manages and created_at. NOT_FOUND if absent.
  virtual absl::Status UpdateRole(const RoleRecord& role) = 0;
  // NOT_FOUND if absent. Users lose the role; roles stop managing it.
  virtual absl::Status DeleteRole(const std::string& name) = 0;
  // Replaces the set of roles `name` may manage. NOT_FOUND if `name` or any
  // of `managed` does not exist (nothing changes then).
  virtual absl::Status SetManagedRoles(const std::string& name,
                                       const std::vector<std::string>& managed) = 0;

  // Gives `role` to the user and writes a `role_granted` audit row in the
  // same transaction. Returns false (and writes nothing) when the user
  // already held it. NOT_FOUND if the user or the role does not exist.
  virtual absl::StatusOr<bool> GrantRole(const std::string& user_id, const std::string& role,
                                         const RoleChangeActor& by) = 0;
  // Takes `role` from the user with a `role_revoked` audit row. Returns false
  // (writing nothing) when the user did not hold it. NOT_FOUND if the user
  // does not exist.
  virtual absl::StatusOr<bool> RevokeRole(const std::string& user_id, const std::string& role,
                                          const RoleChangeActor& by) = 0;
  // The user's roles (active or not, each with its `manages`), by name. An
  // unknown user has none.
  virtual absl::StatusOr<std::vector<UserRole>> ListUserRoles(const std::string& user_id) = 0;
};

}  // namespace tokend::storage
