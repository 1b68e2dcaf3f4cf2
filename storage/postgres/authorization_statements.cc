#include "storage/postgres/authorization_statements.h"

#include "storage/postgres/sql_time.h"

namespace tokend::storage::pg {

void PrepareAuthorizationStatements(pqxx::connection& c) {
  c.prepare(stmt::kInsertCode,
            "INSERT INTO authorization_codes (digest, client_id, user_id, redirect_uri, "
            "redirect_uri_given, scope, code_challenge, challenge_method, family_id, issued_at, "
            "expires_at) VALUES (decode($1, 'hex'), $2, $3, $4, $5, $6, $7, $8, $9::uuid, " TS(
                "$10::int8") ", " TS("$11::int8") ")");
  // Racing exchanges of one code queue on its row.
  c.prepare(stmt::kLockCode,
            "SELECT client_id, user_id, redirect_uri, redirect_uri_given, scope, code_challenge, "
            "challenge_method, family_id::text, " US("issued_at") ", " US("expires_at") ", "
            "used_at IS NOT NULL FROM authorization_codes WHERE digest = decode($1, 'hex') "
            "FOR UPDATE");
  c.prepare(stmt::kMarkCodeUsed,
            "UPDATE authorization_codes SET used_at = " TS("$2::int8") " "
            "WHERE digest = decode($1, 'hex')");
  c.prepare(stmt::kInsertLoginSession,
            "INSERT INTO login_sessions (digest, user_id, created_at, expires_at) VALUES "
            "(decode($1, 'hex'), $2, " TS("$3::int8") ", " TS("$4::int8") ")");
  c.prepare(stmt::kFindLoginSession,
            "SELECT user_id, " US("created_at") ", " US("expires_at") " FROM login_sessions "
            "WHERE digest = decode($1, 'hex') AND expires_at > " TS("$2::int8"));
  c.prepare(stmt::kDeleteLoginSession, "DELETE FROM login_sessions WHERE digest = decode($1, 'hex')");
  c.prepare(stmt::kGetConsent, "SELECT scopes FROM consents WHERE user_id = $1 AND client_id = $2");
  c.prepare(stmt::kUpsertConsent,
            "INSERT INTO consents (user_id, client_id, scopes, granted_at) VALUES "
            "($1, $2, $3::text[], " TS("$4::int8") ") ON CONFLICT (user_id, client_id) DO UPDATE "
            "SET scopes = ARRAY(SELECT DISTINCT unnest(consents.scopes || EXCLUDED.scopes) ORDER BY 1), "
            "granted_at = EXCLUDED.granted_at");
  c.prepare(stmt::kGetLoginFailures,
            "SELECT failures, " US("last_failure") " FROM login_failures WHERE key = $1");
  // A count whose last failure is older than $3 seconds starts over.
  c.prepare(stmt::kAddLoginFailure,
            "INSERT INTO login_failures AS f (key, failures, last_failure) VALUES "
            "($1, 1, " TS("$2::int8") ") ON CONFLICT (key) DO UPDATE SET "
            "failures = CASE WHEN f.last_failure < " TS("$2::int8") " - $3::int8 * interval '1 second' "
            "THEN 1 ELSE f.failures + 1 END, last_failure = EXCLUDED.last_failure "
            "RETURNING failures, " US("last_failure"));
  c.prepare(stmt::kClearLoginFailures, "DELETE FROM login_failures WHERE key = $1");
  c.prepare(stmt::kPurgeCodes,
            "DELETE FROM authorization_codes WHERE expires_at < " TS("$1::int8"));
  c.prepare(stmt::kPurgeLoginSessions,
            "DELETE FROM login_sessions WHERE expires_at < " TS("$1::int8"));
  c.prepare(stmt::kPurgeLoginFailures,
            "DELETE FROM login_failures WHERE last_failure < " TS("$1::int8"));
}

}  // namespace tokend::storage::pg
