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
  // Built straight into the literals: on the group-commit writer, copies of
  // every field into vectors first were a tenth of its time.
  const size_t reserve = rows.size() * 40 + 2;
  ArrayLiteral digest(reserve), kind(reserve), client(reserve), user(reserve), family(reserve),
      scope(reserve), audience(reserve), jti(reserve), format(reserve), issued(reserve),
      expires(reserve);
  for (const TokenRecord* t : rows) {
    digest.Text(ToHex(t->digest));
    kind.Int(static_cast<int>(t->kind));
    client.Text(t->client_id);
    user.Text(t->user_id);
    family.Text(t->family_id);
    scope.Text(t->scope);
    audience.Text(t->audience);
    jti.Text(t->jti);
    format.Text(t->format == TokenFormat::kDefault ? "" : TokenFormatName(t->format));
    issued.Int(ToUnixMicros(t->issued_at));
    expires.Int(ToUnixMicros(t->expires_at));
  }
  tx.exec_prepared(statement, digest.Take(), kind.Take(), client.Take(), user.Take(),
                   family.Take(), scope.Take(), audience.Take(), jti.Take(), issued.Take(),
                   expires.Take(), format.Take(), more...);
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
