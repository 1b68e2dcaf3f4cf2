#include "storage/postgres/token_writes.h"

#include "storage/postgres/row_codec.h"
#include "storage/postgres/statements.h"

namespace tokend::storage::pg {

namespace {

// Runs `statement`, which takes the tokens as the parallel arrays below
// ($1-$11), then `more` parameters.
template <typename... More>
void ExecTokenInsert(pqxx::transaction_base& tx, const char* statement,
                     const std::vector<const TokenRecord*>& rows, const More&... more) {
  std::vector<std::string> digest, client, user, family, scope, audience, jti, format;
  std::vector<int> kind;
  std::vector<int64_t> issued, expires;
  for (const TokenRecord* t : rows) {
    digest.push_back(ToHex(t->digest));
    kind.push_back(static_cast<int>(t->kind));
    client.push_back(t->client_id);
    user.push_back(t->user_id);
    family.push_back(t->family_id);
    scope.push_back(t->scope);
    audience.push_back(t->audience);
    jti.push_back(t->jti);
    format.push_back(t->format == TokenFormat::kDefault ? "" : TokenFormatName(t->format));
    issued.push_back(ToUnixMicros(t->issued_at));
    expires.push_back(ToUnixMicros(t->expires_at));
  }
  tx.exec_prepared(statement, TextArray(digest), IntArray(kind), TextArray(client),
                   TextArray(user), TextArray(family), TextArray(scope), TextArray(audience),
                   TextArray(jti), IntArray(issued), IntArray(expires), TextArray(format),
                   more...);
}

}  // namespace

void InsertTokens(pqxx::work& tx, const std::vector<const TokenRecord*>& rows) {
  ExecTokenInsert(tx, stmt::kInsertTokens, rows);
}

void RecordRotation(pqxx::work& tx, const std::vector<const TokenRecord*>& rows,
                    const TokenRecord& consumed, Time family_expires_at) {
  ExecTokenInsert(tx, stmt::kRecordRotation, rows, consumed.family_id,
                  ToUnixMicros(family_expires_at), consumed.client_id, consumed.user_id);
}

void InsertIssuedTokens(pqxx::transaction_base& tx, const std::vector<const TokenRecord*>& rows) {
  ExecTokenInsert(tx, stmt::kInsertIssuedTokens, rows);
}

}  // namespace tokend::storage::pg
