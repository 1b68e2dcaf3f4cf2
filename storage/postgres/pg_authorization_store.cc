#include "storage/postgres/pg_authorization_store.h"

#include <pqxx/pqxx>

#include "storage/postgres/authorization_statements.h"
#include "storage/postgres/row_codec.h"
#include "storage/postgres/session_writes.h"
#include "storage/postgres/statements.h"

namespace tokend::storage::pg {
namespace {

AuthorizationCodeRecord CodeFromRow(const std::string& digest, const pqxx::row& r) {
  AuthorizationCodeRecord c;
  c.digest = digest;
  c.client_id = r[0].as<std::string>();
  c.user_id = r[1].as<std::string>();
  c.redirect_uri = r[2].as<std::string>();
  c.redirect_uri_given = r[3].as<bool>();
  c.scope = r[4].as<std::string>();
  c.code_challenge = r[5].as<std::string>();
  c.challenge_method = r[6].as<std::string>();
  c.family_id = r[7].as<std::string>();
  c.issued_at = FromUnixMicros(r[8].as<int64_t>());
  c.expires_at = FromUnixMicros(r[9].as<int64_t>());
  return c;
}

LoginFailures FailuresFromRow(const pqxx::row& r) {
  return {r[0].as<int>(), FromUnixMicros(r[1].as<int64_t>())};
}

}  // namespace

absl::Status PgAuthorizationStore::SaveCode(const AuthorizationCodeRecord& c) {
  return pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_prepared(stmt::kInsertCode, ToHex(c.digest), c.client_id, c.user_id, c.redirect_uri,
                     c.redirect_uri_given, c.scope, c.code_challenge, c.challenge_method,
                     c.family_id, ToUnixMicros(c.issued_at), ToUnixMicros(c.expires_at));
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<CodeExchange> PgAuthorizationStore::ExchangeCode(
    const std::string& digest, const std::string& client_id, Time now, int max_sessions,
    const std::function<absl::StatusOr<NewSession>(const AuthorizationCodeRecord&)>& mint) {
  CodeExchange result;
  auto st = pool_.Run([&](pqxx::connection& conn) -> absl::Status {
    result = {};
    pqxx::work tx(conn);
    pqxx::result r = tx.exec_prepared(stmt::kLockCode, ToHex(digest));
    if (r.empty()) return absl::OkStatus();  // kUnknown
    AuthorizationCodeRecord code = CodeFromRow(digest, r[0]);
    bool used = r[0][10].as<bool>();
    if (code.client_id != client_id) {
      result.outcome = CodeOutcome::kWrongClient;
      return absl::OkStatus();
    }
    if (used) {
      // RFC 6749 §4.1.2: a replayed code revokes what it was exchanged for.
      tx.exec_prepared(stmt::kRevokeFamily, code.family_id);
      RevokeFamilies(tx, {code.family_id}, "code.reused", "authorization code replayed");
      tx.commit();
      result = {CodeOutcome::kReused, {}, code.family_id};
      return absl::OkStatus();
    }
    if (code.expires_at <= now) {
      result.outcome = CodeOutcome::kExpired;
      return absl::OkStatus();
    }
    auto session = mint(code);
    if (!session.ok()) return session.status();  // rolls back: the code stays unused
    tx.exec_prepared(stmt::kMarkCodeUsed, ToHex(digest), ToUnixMicros(now));
    auto evicted = OpenSessionIn(tx, *session, max_sessions);
    if (!evicted.ok()) return evicted.status();
    tx.commit();
    result = {CodeOutcome::kExchanged, *std::move(evicted), code.family_id};
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return result;
}

absl::Status PgAuthorizationStore::SaveLoginSession(const LoginSessionRecord& s) {
  return pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_prepared(stmt::kInsertLoginSession, ToHex(s.digest), s.user_id,
                     ToUnixMicros(s.created_at), ToUnixMicros(s.expires_at));
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<LoginSessionRecord> PgAuthorizationStore::FindLoginSession(const std::string& digest,
                                                                          Time now) {
  LoginSessionRecord out;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    pqxx::result r = tx.exec_prepared(stmt::kFindLoginSession, ToHex(digest), ToUnixMicros(now));
    if (r.empty()) return absl::NotFoundError("no such login session");
    out = {digest, r[0][0].as<std::string>(), FromUnixMicros(r[0][1].as<int64_t>()),
           FromUnixMicros(r[0][2].as<int64_t>())};
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::Status PgAuthorizationStore::DeleteLoginSession(const std::string& digest) {
  return pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_prepared(stmt::kDeleteLoginSession, ToHex(digest));
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<std::vector<std::string>>> PgAuthorizationStore::ConsentedScopes(
    const std::string& user_id, const std::string& client_id) {
  std::optional<std::vector<std::string>> out;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    pqxx::result r = tx.exec_prepared(stmt::kGetConsent, user_id, client_id);
    if (!r.empty()) out = ParseTextArray(r[0][0]);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::Status PgAuthorizationStore::SaveConsent(const std::string& user_id,
                                               const std::string& client_id,
                                               const std::vector<std::string>& scopes, Time now) {
  return pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_prepared(stmt::kUpsertConsent, user_id, client_id, TextArray(scopes), ToUnixMicros(now));
    Audit(tx, "consent.granted", client_id, user_id, "", TextArray(scopes));
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<LoginFailures> PgAuthorizationStore::GetLoginFailures(const std::string& key) {
  LoginFailures out;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    pqxx::result r = tx.exec_prepared(stmt::kGetLoginFailures, key);
    out = r.empty() ? LoginFailures{} : FailuresFromRow(r[0]);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<LoginFailures> PgAuthorizationStore::AddLoginFailure(
    const std::string& key, Time now, std::chrono::seconds forget_after) {
  LoginFailures out;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    pqxx::result r = tx.exec_prepared(stmt::kAddLoginFailure, key, ToUnixMicros(now),
                                      static_cast<int64_t>(forget_after.count()));
    out = FailuresFromRow(r[0]);
    tx.commit();
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::Status PgAuthorizationStore::ClearLoginFailures(const std::string& key) {
  return pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_prepared(stmt::kClearLoginFailures, key);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<int> PgAuthorizationStore::PurgeExpired(Time before) {
  int deleted = 0;
  auto st = pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    int64_t us = ToUnixMicros(before);
    deleted = tx.exec_prepared(stmt::kPurgeCodes, us).affected_rows() +
              tx.exec_prepared(stmt::kPurgeLoginSessions, us).affected_rows() +
              tx.exec_prepared(stmt::kPurgeLoginFailures, us).affected_rows();
    tx.commit();
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return deleted;
}

}  // namespace tokend::storage::pg
