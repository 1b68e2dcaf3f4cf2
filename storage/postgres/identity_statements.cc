#include "storage/postgres/identity_statements.h"

#include <string>

#include "storage/postgres/row_codec.h"

namespace tokend::storage::pg {
namespace {

#define TS(x) "(timestamptz 'epoch' + (" x ") * interval '1 microsecond')"
#define US(col) "(extract(epoch from " col ") * 1000000)::int8"

// Twelve columns; RoleFromRow reads them in this order.
constexpr char kRoleColumns[] =
    "r.name, r.is_badge, r.is_active, r.label, r.description, r.image_url, r.link, "
    "r.image_width, r.image_height, " US("r.created_at") ", " US("r.updated_at") ", "
    "coalesce((SELECT array_agg(m.managed_role ORDER BY m.managed_role) FROM role_manages m "
    "WHERE m.role = r.name), '{}')";

}  // namespace

void PrepareIdentityStatements(pqxx::connection& c) {
  using std::string;
  c.prepare(stmt::kInsertRole,
            "INSERT INTO roles (name, is_badge, is_active, label, description, image_url, link, "
            "image_width, image_height, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, "
            "$7, $8, $9, " TS("$10::int8") ", " TS("$10::int8") ")");
  c.prepare(stmt::kGetRole, string("SELECT ") + kRoleColumns + " FROM roles r WHERE r.name = $1");
  c.prepare(stmt::kListRoles, string("SELECT ") + kRoleColumns + " FROM roles r ORDER BY r.name");
  c.prepare(stmt::kUpdateRole,
            "UPDATE roles SET is_badge = $2, is_active = $3, label = $4, description = $5, "
            "image_url = $6, link = $7, image_width = $8, image_height = $9, updated_at = now() "
            "WHERE name = $1");
  c.prepare(stmt::kDeleteRole, "DELETE FROM roles WHERE name = $1");
  c.prepare(stmt::kLockRole, "SELECT 1 FROM roles WHERE name = $1 FOR UPDATE");
  c.prepare(stmt::kCountRoles,
            "SELECT count(*) FROM roles WHERE name = ANY($1::text[])");
  c.prepare(stmt::kClearManagedRoles, "DELETE FROM role_manages WHERE role = $1");
  c.prepare(stmt::kInsertManagedRoles,
            "INSERT INTO role_manages (role, managed_role) "
            "SELECT $1, m FROM unnest($2::text[]) AS m ON CONFLICT DO NOTHING");
  // FOR SHARE: neither row can go away before the grant commits.
  c.prepare(stmt::kUserAndRoleExist,
            "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 FOR SHARE), "
            "EXISTS (SELECT 1 FROM roles WHERE name = $2 FOR SHARE)");
  c.prepare(stmt::kGrantUserRole,
            "INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING");
  c.prepare(stmt::kRevokeUserRole, "DELETE FROM user_roles WHERE user_id = $1 AND role = $2");
  c.prepare(stmt::kListUserRoles, string("SELECT ") + kRoleColumns + ", " US("u.granted_at") +
                                      " FROM user_roles u JOIN roles r ON r.name = u.role "
                                      "WHERE u.user_id = $1 ORDER BY r.name");
}

RoleRecord RoleFromRow(const pqxx::row& r) {
  RoleRecord role;
  role.name = r[0].as<std::string>();
  role.is_badge = r[1].as<bool>();
  role.is_active = r[2].as<bool>();
  role.label = r[3].as<std::string>();
  role.description = r[4].as<std::string>();
  role.image_url = r[5].as<std::string>();
  role.link = r[6].as<std::string>();
  role.image_width = r[7].as<int32_t>();
  role.image_height = r[8].as<int32_t>();
  role.created_at = FromUnixMicros(r[9].as<int64_t>());
  role.updated_at = FromUnixMicros(r[10].as<int64_t>());
  role.manages = ParseTextArray(r[11]);
  return role;
}

UserRole UserRoleFromRow(const pqxx::row& r) {
  return UserRole{RoleFromRow(r), FromUnixMicros(r[12].as<int64_t>())};
}

}  // namespace tokend::storage::pg
