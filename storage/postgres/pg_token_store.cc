#include "storage/postgres/pg_token_store.h"

#include <pqxx/pqxx>

#include "storage/postgres/change_feed.h"
#include "storage/postgres/row_codec.h"
#include "storage/postgres/session_writes.h"
#include "storage/postgres/statements.h"
#include "storage/postgres/token_writes.h"

namespace tokend::storage::pg {
namespace {

std::vector<const TokenRecord*> Pointers(const std::vector<TokenRecord>& v) {
  std::vector<const TokenRecord*> out;
  for (const auto& t : v) out.push_back(&t);
  return out;
}

}  // namespace

void PgTokenStore::RecordTokens(std::vector<TokenRecord> tokens,
                                std::function<void(absl::Status)> done) {
  writer_.Write(std::move(tokens), std::move(done));
}

absl::StatusOr<std::vector<std::string>> PgTokenStore::OpenSession(const NewSession& s,
                                                                   int max_sessions) {
  std::vector<std::string> evicted;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    auto opened = OpenSessionIn(tx, s, max_sessions);
    if (!opened.ok()) return opened.status();
    tx.commit();
    evicted = *std::move(opened);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return evicted;
}

absl::StatusOr<RefreshResult> PgTokenStore::RotateRefreshToken(
    const std::string& digest, const std::string& client_id, Time now,
    const std::function<absl::StatusOr<Rotation>(const TokenRecord&)>& mint) {
  RefreshResult result;
  auto st = pool_.Run([&](pqxx::connection& conn) -> absl::Status {
    pqxx::work tx(conn);
    std::string hex = ToHex(digest);
    tx.exec_prepared(stmt::kLockFamilyOfToken, hex);
    pqxx::result consumed = tx.exec_prepared(stmt::kConsumeRefresh, hex, client_id, ToUnixMicros(now));
    if (!consumed.empty()) {
      TokenRecord old = TokenFromRow(consumed[0]);
      auto rotation = mint(old);
      if (!rotation.ok()) return rotation.status();  // rolls back: the token stays unused
      RecordRotation(tx, Pointers(rotation->tokens), old, rotation->family_expires_at);
      tx.commit();
      result = {RefreshOutcome::kRotated, old.family_id};
      return absl::OkStatus();
    }
    pqxx::result found = tx.exec_prepared(stmt::kClassifyRefresh, hex);
    if (found.empty() || found[0][0].as<int>() != static_cast<int>(TokenKind::kRefresh)) {
      result = {RefreshOutcome::kUnknown, ""};
      return absl::OkStatus();
    }
    std::string owner = found[0][1].as<std::string>();
    std::string family = found[0][2].as<std::string>();
    bool used = found[0][3].as<bool>();
    if (owner != client_id) {
      result = {RefreshOutcome::kWrongClient, ""};
    } else if (used && !family.empty()) {
      // RFC 9700 §4.14.2: a replayed refresh token means it leaked; end the
      // whole session, including what the legitimate use already got.
      tx.exec_prepared(stmt::kRevokeFamily, family);
      RevokeFamilies(tx, {family}, "refresh.reused", "refresh token replayed");
      tx.commit();
      result = {RefreshOutcome::kReused, family};
    } else {
      result = {RefreshOutcome::kInactive, ""};
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return result;
}

absl::StatusOr<TokenState> PgTokenStore::FindToken(const std::string& digest) {
  TokenState out;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    pqxx::result r = tx.exec_prepared(stmt::kFindToken, ToHex(digest));
    if (r.empty()) return absl::NotFoundError("no such token");
    out.token = TokenFromRow(r[0]);
    out.username = r[0][12].as<std::string>();
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::Status PgTokenStore::RevokeToken(const std::string& digest, const std::string& reason) {
  return pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    pqxx::result r = tx.exec_prepared(stmt::kRevokeToken, ToHex(digest));
    if (!r.empty()) {
      Audit(tx, "token.revoked", r[0][0].as<std::string>(), r[0][1].as<std::string>(),
            r[0][2].as<std::string>(), reason);
      AnnounceTokenRevoked(tx, digest);
    }
    tx.commit();
    return absl::OkStatus();
  });
}

absl::Status PgTokenStore::RevokeFamily(const std::string& family_id, const std::string& reason) {
  return pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_prepared(stmt::kRevokeFamily, family_id);
    RevokeFamilies(tx, {family_id}, "family.revoked", reason);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<int> PgTokenStore::PurgeExpired(Time before, int batch) {
  int deleted = 0;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    deleted = tx.exec_prepared(stmt::kPurgeTokens, ToUnixMicros(before), batch).affected_rows();
    deleted += tx.exec_prepared(stmt::kPurgeFamilies, ToUnixMicros(before), batch).affected_rows();
    tx.commit();
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return deleted;
}

}  // namespace tokend::storage::pg
