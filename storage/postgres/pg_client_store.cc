#include "storage/postgres/pg_client_store.h"

#include <pqxx/pqxx>

#include "storage/postgres/change_feed.h"
#include "storage/postgres/row_codec.h"
#include "storage/postgres/statements.h"

namespace tokend::storage::pg {
namespace {

absl::Status NotFound() { return absl::NotFoundError("no such client"); }

}  // namespace

absl::Status PgClientStore::CreateClient(const ClientRecord& c) {
  return pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_prepared(stmt::kInsertClient, c.client_id, c.name, ToHex(c.secret_digest),
                     TextArray(c.grant_types), TextArray(c.allowed_scopes),
                     TextArray(c.default_scopes), c.access_ttl_seconds, c.refresh_ttl_seconds,
                     c.max_user_sessions, TextArray(c.redirect_uris), c.homepage_url, c.logo_url,
                     c.confidential, TextArray(c.permissions), ToUnixMicros(c.created_at),
                     TokenFormatName(c.default_token_format), c.allow_plain_pkce,
                     c.rate_limit_per_second.value_or(-1));
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<ClientRecord> PgClientStore::GetClient(const std::string& client_id) {
  ClientRecord out;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    pqxx::result r = tx.exec_prepared(stmt::kGetClient, client_id);
    if (r.empty()) return NotFound();
    out = ClientFromRow(r[0]);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::vector<ClientRecord>> PgClientStore::ListClients(const PageRequest& page) {
  std::vector<ClientRecord> out;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    for (const auto& row : tx.exec_prepared(stmt::kListClients, page.after, page.limit)) {
      out.push_back(ClientFromRow(row));
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::Status PgClientStore::UpdateClient(const ClientRecord& c) {
  return pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    pqxx::result r = tx.exec_prepared(
        stmt::kUpdateClient, c.client_id, c.name, TextArray(c.grant_types),
        TextArray(c.allowed_scopes), TextArray(c.default_scopes), c.access_ttl_seconds,
        c.refresh_ttl_seconds, c.max_user_sessions, TextArray(c.redirect_uris), c.homepage_url,
        c.logo_url, c.confidential, TextArray(c.permissions),
        TokenFormatName(c.default_token_format), c.allow_plain_pkce,
        c.rate_limit_per_second.value_or(-1));
    if (r.affected_rows() == 0) return NotFound();
    AnnounceClientChanged(tx, c.client_id);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::Status PgClientStore::DeleteClient(const std::string& client_id) {
  return pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_prepared(stmt::kDeleteClientTokens, client_id);
    pqxx::result r = tx.exec_prepared(stmt::kDeleteClient, client_id);
    if (r.affected_rows() == 0) return NotFound();
    AnnounceClientChanged(tx, client_id);
    AnnounceReset(tx);  // its tokens are gone: other replicas drop their token caches
    tx.commit();
    return absl::OkStatus();
  });
}

absl::Status PgClientStore::SetClientSecretDigest(const std::string& client_id,
                                                  const std::string& digest) {
  return pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    pqxx::result r = tx.exec_prepared(stmt::kSetClientSecret, client_id, ToHex(digest));
    if (r.affected_rows() == 0) return NotFound();
    AnnounceClientChanged(tx, client_id);
    tx.commit();
    return absl::OkStatus();
  });
}

}  // namespace tokend::storage::pg
