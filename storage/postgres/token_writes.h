// The statements that write token rows, shared by the group-commit writer
// and the session and refresh transactions.
#pragma once

#include <pqxx/pqxx>
#include <vector>

#include "storage/records.h"

namespace tokend::storage::pg {

// Inserts issued tokens with one "token.issued" audit row each, in one
// statement (the group commit runs it alone, in autocommit).
void InsertIssuedTokens(pqxx::transaction_base& tx, const std::vector<const TokenRecord*>& rows);

// Inserts tokens inside an open transaction (the session and refresh
// transactions, which write their own audit rows).
void InsertTokens(pqxx::work& tx, const std::vector<const TokenRecord*>& rows);

// Writes a refresh rotation inside its open transaction, in one statement:
// the new tokens, the family's expiry moved to `family_expires_at`, and the
// "token.refreshed" audit row of the `consumed` refresh token's session.
void RecordRotation(pqxx::work& tx, const std::vector<const TokenRecord*>& rows,
                    const TokenRecord& consumed, Time family_expires_at);

}  // namespace tokend::storage::pg
