#include "storage/postgres/pg_key_store.h"

#include <pqxx/pqxx>

#include "storage/postgres/row_codec.h"
#include "storage/postgres/statements.h"

namespace tokend::storage::pg {

absl::StatusOr<std::vector<SigningKeyRecord>> PgKeyStore::ListKeys(Time now) {
  std::vector<SigningKeyRecord> out;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    out.clear();
    pqxx::read_transaction tx(conn);
    for (const auto& row : tx.exec_prepared(stmt::kListKeys, ToUnixMicros(now))) {
      out.push_back(KeyFromRow(row));
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<bool> PgKeyStore::RotateKey(const SigningKeyRecord& next,
                                           const std::string& expected_active_kid,
                                           int64_t publish_margin_seconds) {
  bool rotated = false;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    rotated = false;
    pqxx::work tx(conn);
    tx.exec_prepared(stmt::kLockKeys);  // held until commit or rollback
    pqxx::result active = tx.exec_prepared(stmt::kActiveKid);
    std::string current = active.empty() ? "" : active[0][0].as<std::string>();
    if (current != expected_active_kid) return absl::OkStatus();  // another replica won
    if (!current.empty()) tx.exec_prepared(stmt::kRetireKey, current, publish_margin_seconds);
    tx.exec_prepared(stmt::kInsertKey, next.kid, next.algorithm, ToHex(next.public_key),
                     ToHex(next.sealed_private_key), ToUnixMicros(next.created_at));
    tx.exec_prepared(stmt::kInsertAudit, TextArray({"key.rotated"}), TextArray({""}),
                     TextArray({""}), TextArray({""}),
                     TextArray({current.empty() ? next.kid : current + " -> " + next.kid}));
    tx.commit();
    rotated = true;
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return rotated;
}

absl::StatusOr<int> PgKeyStore::PurgeKeys(Time before) {
  int deleted = 0;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    deleted = tx.exec_prepared(stmt::kPurgeKeys, ToUnixMicros(before)).affected_rows();
    tx.commit();
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return deleted;
}

}  // namespace tokend::storage::pg
