// The SQL of the operator queries (storage/admin_store.h): audit rows, a
// user's or client's tokens, and revoke-all batches. Their filters vary per
// call, so each statement is built with only the predicates it needs (and
// planned for them) rather than prepared once; every value still travels as
// a parameter. Also the one place that knows the column order of these
// SELECTs.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "storage/admin_store.h"

namespace tokend::storage::pg {

// A statement and its parameters, all as text ($n casts them).
struct Query {
  std::string sql;
  std::vector<std::string> params;
};

Query AuditEventsQuery(const AuditQuery& q);
Query TokensQuery(const TokenQuery& q);

// Counts: one row (families, tokens outside sessions) of the owner's live ones.
Query CountLiveQuery(const TokenOwner& owner);
// Revokes up to `limit` live families of the owner; rows (family_id,
// client_id, user_id). Families are locked before their tokens, as
// everywhere else.
Query RevokeFamiliesQuery(const TokenOwner& owner, int limit);
// Revokes up to `limit` live tokens of the owner outside sessions; rows
// (digest hex, client_id, user_id).
Query RevokeLooseTokensQuery(const TokenOwner& owner, int limit);

pqxx::result Exec(pqxx::transaction_base& tx, const Query& q);

AuditEventRecord AuditEventFromRow(const pqxx::row& r);
// A row of TokensQuery (the digest is never selected).
TokenRecord ListedTokenFromRow(const pqxx::row& r);

}  // namespace tokend::storage::pg
