// The identity statements (roles, badges, user roles), prepared on every
// pooled connection beside the ledger's own (statements.h), and the one
// place that knows the column order of their SELECTs.
#pragma once

#include <pqxx/pqxx>

#include "storage/identity_store.h"

namespace tokend::storage::pg {

namespace stmt {
inline constexpr char kInsertRole[] = "insert_role";
inline constexpr char kGetRole[] = "get_role";
inline constexpr char kListRoles[] = "list_roles";
inline constexpr char kUpdateRole[] = "update_role";
inline constexpr char kDeleteRole[] = "delete_role";
inline constexpr char kLockRole[] = "lock_role";
inline constexpr char kCountRoles[] = "count_roles";
inline constexpr char kClearManagedRoles[] = "clear_managed_roles";
inline constexpr char kInsertManagedRoles[] = "insert_managed_roles";
inline constexpr char kUserAndRoleExist[] = "user_and_role_exist";
inline constexpr char kGrantUserRole[] = "grant_user_role";
inline constexpr char kRevokeUserRole[] = "revoke_user_role";
inline constexpr char kListUserRoles[] = "list_user_roles";
}  // namespace stmt

// Registers the statements above (called by PrepareStatements).
void PrepareIdentityStatements(pqxx::connection& conn);

// A row of kGetRole / kListRoles; kListUserRoles adds granted_at after it.
RoleRecord RoleFromRow(const pqxx::row& r);
UserRole UserRoleFromRow(const pqxx::row& r);

}  // namespace tokend::storage::pg
