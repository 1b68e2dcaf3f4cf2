#include "storage/postgres/pg_role_store.h"

#include <algorithm>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "storage/postgres/identity_statements.h"
#include "storage/postgres/row_codec.h"
#include "storage/postgres/statements.h"

namespace tokend::storage::pg {

absl::Status PgRoleStore::CreateRole(const RoleRecord& r) {
  return pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_prepared(stmt::kInsertRole, r.name, r.is_badge, r.is_active, r.label, r.description,
                     r.image_url, r.link, r.image_width, r.image_height,
                     ToUnixMicros(r.created_at));
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<RoleRecord> PgRoleStore::GetRole(const std::string& name) {
  RoleRecord out;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    pqxx::result r = tx.exec_prepared(stmt::kGetRole, name);
    if (r.empty()) return absl::NotFoundError("no such role");
    out = RoleFromRow(r[0]);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::vector<RoleRecord>> PgRoleStore::ListRoles() {
  std::vector<RoleRecord> out;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    for (const auto& row : tx.exec_prepared(stmt::kListRoles)) out.push_back(RoleFromRow(row));
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::Status PgRoleStore::ChangeOne(const std::function<pqxx::result(pqxx::work&)>& change) {
  return pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    if (change(tx).affected_rows() == 0) return absl::NotFoundError("no such role");
    tx.commit();
    return absl::OkStatus();
  });
}

absl::Status PgRoleStore::UpdateRole(const RoleRecord& r) {
  return ChangeOne([&](pqxx::work& tx) {
    return tx.exec_prepared(stmt::kUpdateRole, r.name, r.is_badge, r.is_active, r.label,
                            r.description, r.image_url, r.link, r.image_width, r.image_height);
  });
}

absl::Status PgRoleStore::DeleteRole(const std::string& name) {
  return ChangeOne([&](pqxx::work& tx) { return tx.exec_prepared(stmt::kDeleteRole, name); });
}

absl::Status PgRoleStore::SetManagedRoles(const std::string& name,
                                          const std::vector<std::string>& managed) {
  return pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    if (tx.exec_prepared(stmt::kLockRole, name).empty()) return absl::NotFoundError("no such role");
    std::vector<std::string> unique(managed);
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    auto known = tx.exec_prepared(stmt::kCountRoles, TextArray(unique))[0][0].as<int64_t>();
    if (known != static_cast<int64_t>(unique.size())) {
      return absl::NotFoundError("a managed role does not exist");
    }
    tx.exec_prepared(stmt::kClearManagedRoles, name);
    tx.exec_prepared(stmt::kInsertManagedRoles, name, TextArray(unique));
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> PgRoleStore::ChangeUserRole(bool grant, const std::string& user_id,
                                                 const std::string& role,
                                                 const RoleChangeActor& by) {
  bool changed = false;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    pqxx::row exist = tx.exec_prepared(stmt::kUserAndRoleExist, user_id, role)[0];
    if (!exist[0].as<bool>()) return absl::NotFoundError("no such user");
    if (grant && !exist[1].as<bool>()) return absl::NotFoundError("no such role");
    pqxx::result r =
        tx.exec_prepared(grant ? stmt::kGrantUserRole : stmt::kRevokeUserRole, user_id, role);
    changed = r.affected_rows() > 0;
    if (!changed) return absl::OkStatus();  // already so: no audit row
    std::string detail = absl::StrCat("role=", role, " by=", by.actor);
    tx.exec_prepared(stmt::kInsertAudit, TextArray({grant ? "role_granted" : "role_revoked"}),
                     TextArray({by.client_id}), TextArray({user_id}), TextArray({""}),
                     TextArray({detail}));
    tx.commit();
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return changed;
}

absl::StatusOr<bool> PgRoleStore::GrantRole(const std::string& user_id, const std::string& role,
                                            const RoleChangeActor& by) {
  return ChangeUserRole(true, user_id, role, by);
}

absl::StatusOr<bool> PgRoleStore::RevokeRole(const std::string& user_id, const std::string& role,
                                             const RoleChangeActor& by) {
  return ChangeUserRole(false, user_id, role, by);
}

absl::StatusOr<std::vector<UserRole>> PgRoleStore::ListUserRoles(const std::string& user_id) {
  std::vector<UserRole> out;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    for (const auto& row : tx.exec_prepared(stmt::kListUserRoles, user_id)) {
      out.push_back(UserRoleFromRow(row));
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace tokend::storage::pg
