#include "storage/postgres/session_writes.h"

#include "storage/postgres/change_feed.h"
#include "storage/postgres/token_writes.h"
#include "storage/postgres/row_codec.h"
#include "storage/postgres/statements.h"

namespace tokend::storage::pg {

void Audit(pqxx::work& tx, const std::string& event, const std::string& client_id,
           const std::string& user_id, const std::string& family_id, const std::string& detail) {
  tx.exec_prepared(stmt::kInsertAudit, TextArray({event}), TextArray({client_id}),
                   TextArray({user_id}), TextArray({family_id}), TextArray({detail}));
}

void RevokeFamilies(pqxx::work& tx, const std::vector<std::string>& families,
                    const std::string& event, const std::string& reason) {
  if (families.empty()) return;
  tx.exec_prepared(stmt::kRevokeFamilyTokens, TextArray(families));
  for (const auto& f : families) {
    Audit(tx, event, "", "", f, reason);
    AnnounceFamilyRevoked(tx, f);
  }
}

absl::StatusOr<std::vector<std::string>> OpenSessionIn(pqxx::work& tx, const NewSession& s,
                                                       int max_sessions) {
  std::vector<std::string> evicted;
  if (tx.exec_prepared(stmt::kLockUser, s.user_id).empty()) {
    return absl::NotFoundError("no such user");
  }
  if (max_sessions > 0) {
    for (const auto& row :
         tx.exec_prepared(stmt::kEvictSessions, s.user_id, s.client_id, max_sessions - 1)) {
      evicted.push_back(row[0].as<std::string>());
    }
    RevokeFamilies(tx, evicted, "session.evicted", "session limit");
  }
  tx.exec_prepared(stmt::kInsertFamily, s.family_id, s.client_id, s.user_id, s.grant_type,
                   ToUnixMicros(s.created_at), ToUnixMicros(s.expires_at));
  std::vector<const TokenRecord*> rows;
  for (const auto& t : s.tokens) rows.push_back(&t);
  InsertTokens(tx, rows);
  Audit(tx, "session.opened", s.client_id, s.user_id, s.family_id, s.grant_type);
  return evicted;
}

}  // namespace tokend::storage::pg
