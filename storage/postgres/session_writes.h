// Writes shared by every store that opens or ends sessions inside its own
// transaction (token grants, refresh rotation, code exchange).
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/ledger.h"

namespace tokend::storage::pg {

// One audit_events row.
void Audit(pqxx::work& tx, const std::string& event, const std::string& client_id,
           const std::string& user_id, const std::string& family_id, const std::string& detail);

// Revokes the families and all their tokens, one audit row each, and tells
// the other replicas.
void RevokeFamilies(pqxx::work& tx, const std::vector<std::string>& families,
                    const std::string& event, const std::string& reason);

// TokenStore::OpenSession's work inside `tx`: returns the evicted families,
// or NOT_FOUND when the user does not exist.
absl::StatusOr<std::vector<std::string>> OpenSessionIn(pqxx::work& tx, const NewSession& session,
                                                       int max_sessions);

}  // namespace tokend::storage::pg
