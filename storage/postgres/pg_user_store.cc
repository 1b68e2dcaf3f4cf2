#include "storage/postgres/pg_user_store.h"

#include <pqxx/pqxx>

#include "storage/postgres/change_feed.h"
#include "storage/postgres/row_codec.h"
#include "storage/postgres/statements.h"

namespace tokend::storage::pg {

absl::Status PgUserStore::CreateUser(const UserRecord& u) {
  return pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_prepared(stmt::kInsertUser, u.id, u.username, u.email, u.full_name, u.nickname,
                     u.password_hash, ToUnixMicros(u.created_at),
                     OptionalMicrosParam(u.confirmed_email_at),
                     OptionalMicrosParam(u.date_deletion_requested), u.avatar_url);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<UserRecord> PgUserStore::GetOne(const char* statement, const std::string& key) {
  UserRecord out;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    pqxx::result r = tx.exec_prepared(statement, key);
    if (r.empty()) return absl::NotFoundError("no such user");
    out = UserFromRow(r[0]);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<UserRecord> PgUserStore::GetUser(const std::string& id) {
  return GetOne(stmt::kGetUser, id);
}

absl::StatusOr<UserRecord> PgUserStore::GetUserByUsername(const std::string& username) {
  return GetOne(stmt::kGetUserByUsername, username);
}

absl::StatusOr<UserRecord> PgUserStore::GetUserByEmail(const std::string& email) {
  if (email.empty()) return absl::NotFoundError("no such user");
  return GetOne(stmt::kGetUserByEmail, email);
}

absl::StatusOr<std::vector<UserRecord>> PgUserStore::ListUsers(const PageRequest& page) {
  std::vector<UserRecord> out;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    for (const auto& row : tx.exec_prepared(stmt::kListUsers, page.after, page.limit)) {
      out.push_back(UserFromRow(row));
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::Status PgUserStore::ChangeOne(const std::function<pqxx::result(pqxx::work&)>& change) {
  return pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    if (change(tx).affected_rows() == 0) return absl::NotFoundError("no such user");
    tx.commit();
    return absl::OkStatus();
  });
}

absl::Status PgUserStore::UpdateUser(const UserRecord& u) {
  return ChangeOne([&](pqxx::work& tx) {
    return tx.exec_prepared(stmt::kUpdateUser, u.id, u.username, u.email, u.full_name, u.nickname,
                            OptionalMicrosParam(u.confirmed_email_at),
                            OptionalMicrosParam(u.date_deletion_requested), u.avatar_url);
  });
}

absl::Status PgUserStore::SetPasswordHash(const std::string& id, const std::string& hash) {
  return ChangeOne(
      [&](pqxx::work& tx) { return tx.exec_prepared(stmt::kSetPasswordHash, id, hash); });
}

absl::Status PgUserStore::DeleteUser(const std::string& id) {
  return ChangeOne([&](pqxx::work& tx) {
    AnnounceReset(tx);  // the user's tokens go with it: replicas drop their token caches
    return tx.exec_prepared(stmt::kDeleteUser, id);
  });
}

}  // namespace tokend::storage::pg
