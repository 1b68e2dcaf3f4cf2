#include "storage/postgres/pg_admin_store.h"

#include <pqxx/pqxx>

#include "storage/postgres/admin_queries.h"
#include "storage/postgres/change_feed.h"
#include "storage/postgres/row_codec.h"
#include "storage/postgres/statements.h"

namespace tokend::storage::pg {
namespace {

// The audit rows of one batch, written with one statement.
struct AuditRows {
  std::vector<std::string> events, clients, users, families, details;
  void Add(const char* event, std::string client, std::string user, std::string family,
           const std::string& detail) {
    events.emplace_back(event);
    clients.push_back(std::move(client));
    users.push_back(std::move(user));
    families.push_back(std::move(family));
    details.push_back(detail);
  }
  void Write(pqxx::work& tx) const {
    if (events.empty()) return;
    tx.exec_prepared(stmt::kInsertAudit, TextArray(events), TextArray(clients), TextArray(users),
                     TextArray(families), TextArray(details));
  }
};

}  // namespace

absl::StatusOr<std::vector<AuditEventRecord>> PgAdminStore::ListAuditEvents(const AuditQuery& q) {
  std::vector<AuditEventRecord> out;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    for (const auto& row : Exec(tx, AuditEventsQuery(q))) out.push_back(AuditEventFromRow(row));
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::vector<TokenRecord>> PgAdminStore::ListTokens(const TokenQuery& q) {
  std::vector<TokenRecord> out;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    for (const auto& row : Exec(tx, TokensQuery(q))) out.push_back(ListedTokenFromRow(row));
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::pair<int64_t, int64_t>> PgAdminStore::CountLive(const TokenOwner& owner) {
  std::pair<int64_t, int64_t> out;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    pqxx::result r = Exec(tx, CountLiveQuery(owner));
    out = {r[0][0].as<int64_t>(), r[0][1].as<int64_t>()};
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<RevokedBatch> PgAdminStore::RevokeBatch(const TokenOwner& owner, int batch,
                                                       const std::string& detail) {
  RevokedBatch out;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    out = {};
    pqxx::work tx(conn);
    // Serialises with OpenSession for this user (which locks the user first,
    // then evicts families), so the two never lock families in opposite orders.
    if (!owner.user_id.empty()) tx.exec_prepared(stmt::kLockUser, owner.user_id);
    AuditRows audit;
    for (const auto& row : Exec(tx, RevokeFamiliesQuery(owner, batch))) {
      out.families.push_back(row[0].as<std::string>());
      audit.Add("family.revoked", row[1].as<std::string>(), row[2].as<std::string>(),
                out.families.back(), detail);
    }
    if (!out.families.empty()) {
      tx.exec_prepared(stmt::kRevokeFamilyTokens, TextArray(out.families));
      AnnounceFamiliesRevoked(tx, out.families);
    } else {
      for (const auto& row : Exec(tx, RevokeLooseTokensQuery(owner, batch))) {
        out.token_digests.push_back(FromHex(row[0].as<std::string>()));
        audit.Add("token.revoked", row[1].as<std::string>(), row[2].as<std::string>(), "",
                  detail);
      }
      AnnounceTokensRevoked(tx, out.token_digests);
    }
    audit.Write(tx);
    tx.commit();
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace tokend::storage::pg
