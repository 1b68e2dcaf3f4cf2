#include "storage/postgres/statements.h"

#include <pqxx/pqxx>

#include "storage/postgres/authorization_statements.h"
#include "storage/postgres/identity_statements.h"
#include "storage/postgres/sql_time.h"

namespace tokend::storage::pg {
namespace {

constexpr char kClientColumns[] =
    "client_id, name, coalesce(encode(secret_digest, 'hex'), ''), grant_types, allowed_scopes, "
    "default_scopes, access_ttl_s, refresh_ttl_s, max_user_sessions, redirect_uris, "
    "homepage_url, logo_url, confidential, permissions, " US("created_at") ", " US("updated_at")
    ", default_token_format, allow_plain_pkce, coalesce(rate_limit_per_second, -1)";

constexpr char kUserColumns[] =
    "id, username, email, full_name, nickname, password_hash, " US("created_at") ", " US(
        "updated_at") ", " US("confirmed_email_at") ", " US("date_deletion_requested") ", avatar_url";

constexpr char kTokenColumns[] =
    "encode(t.digest, 'hex'), t.kind, t.client_id, coalesce(t.user_id, ''), "
    "coalesce(t.family_id::text, ''), t.scope, t.audience, t.jti, " US("t.issued_at") ", " US(
        "t.expires_at") ", " US("t.used_at") ", " US("t.revoked_at");

// Inserts the tokens given as parallel arrays (see ExecTokenInsert).
constexpr char kInsertTokenArrays[] =
    "INSERT INTO tokens (digest, kind, client_id, user_id, family_id, scope, audience, "
    "jti, issued_at, expires_at, format) "
    "SELECT decode(d, 'hex'), k, c, nullif(u, ''), nullif(f, '')::uuid, s, a, j, " TS(
        "i") ", " TS("e") ", nullif(fm, '') FROM unnest($1::text[], $2::int2[], $3::text[], "
    "$4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int8[], $10::int8[], "
    "$11::text[]) AS x(d, k, c, u, f, s, a, j, i, e, fm)";

}  // namespace

void PrepareStatements(pqxx::connection& c) {
  using std::string;
  c.prepare(stmt::kInsertClient,
            "INSERT INTO clients (client_id, name, secret_digest, grant_types, allowed_scopes, "
            "default_scopes, access_ttl_s, refresh_ttl_s, max_user_sessions, redirect_uris, "
            "homepage_url, logo_url, confidential, permissions, created_at, updated_at, "
            "default_token_format, allow_plain_pkce, rate_limit_per_second) VALUES "
            "($1, $2, decode(nullif($3, ''), 'hex'), $4::text[], $5::text[], $6::text[], $7, $8, "
            "$9, $10::text[], $11, $12, $13, $14::text[], " TS("$15::int8") ", " TS("$15::int8") ", "
            "$16, $17, nullif($18::int4, -1))");
  c.prepare(stmt::kGetClient, string("SELECT ") + kClientColumns + " FROM clients WHERE client_id = $1");
  c.prepare(stmt::kListClients, string("SELECT ") + kClientColumns +
                                    " FROM clients WHERE client_id > $1 ORDER BY client_id LIMIT $2");
  c.prepare(stmt::kUpdateClient,
            "UPDATE clients SET name = $2, grant_types = $3::text[], allowed_scopes = $4::text[], "
            "default_scopes = $5::text[], access_ttl_s = $6, refresh_ttl_s = $7, "
            "max_user_sessions = $8, redirect_uris = $9::text[], homepage_url = $10, "
            "logo_url = $11, confidential = $12, permissions = $13::text[], "
            "default_token_format = $14, allow_plain_pkce = $15, "
            "rate_limit_per_second = nullif($16::int4, -1), updated_at = now() "
            "WHERE client_id = $1");
  c.prepare(stmt::kDeleteClient, "DELETE FROM clients WHERE client_id = $1");
  c.prepare(stmt::kDeleteClientTokens, "DELETE FROM tokens WHERE client_id = $1");
  c.prepare(stmt::kSetClientSecret,
            "UPDATE clients SET secret_digest = decode($2, 'hex'), updated_at = now() "
            "WHERE client_id = $1");

  c.prepare(stmt::kInsertUser,
            "INSERT INTO users (id, username, email, full_name, nickname, password_hash, "
            "created_at, updated_at, confirmed_email_at, date_deletion_requested, avatar_url) "
            "VALUES ($1, $2, $3, $4, $5, $6, " TS("$7::int8") ", " TS("$7::int8") ", "
            TS("nullif($8, '')::int8") ", " TS("nullif($9, '')::int8") ", $10)");
  c.prepare(stmt::kGetUser, string("SELECT ") + kUserColumns + " FROM users WHERE id = $1");
  c.prepare(stmt::kGetUserByUsername,
            string("SELECT ") + kUserColumns + " FROM users WHERE username = $1");
  c.prepare(stmt::kGetUserByEmail, string("SELECT ") + kUserColumns +
                                       " FROM users WHERE lower(email) = lower($1) AND email <> ''");
  c.prepare(stmt::kListUsers,
            string("SELECT ") + kUserColumns + " FROM users WHERE id > $1 ORDER BY id LIMIT $2");
  c.prepare(stmt::kUpdateUser,
            "UPDATE users SET username = $2, email = $3, full_name = $4, nickname = $5, "
            "confirmed_email_at = " TS("nullif($6, '')::int8") ", date_deletion_requested = "
            TS("nullif($7, '')::int8")
            ", avatar_url = $8, updated_at = now() WHERE id = $1");
  c.prepare(stmt::kSetPasswordHash,
            "UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1");
  c.prepare(stmt::kDeleteUser, "DELETE FROM users WHERE id = $1");
  c.prepare(stmt::kLockUser, "SELECT 1 FROM users WHERE id = $1 FOR UPDATE");

  c.prepare(stmt::kInsertTokens, kInsertTokenArrays);
  // The group commit's single statement: the tokens and their "token.issued"
  // audit rows in one round trip, atomic without BEGIN/COMMIT round trips.
  c.prepare(stmt::kInsertIssuedTokens,
            string("WITH issued AS (") + kInsertTokenArrays +
                " RETURNING kind, client_id, user_id, family_id) "
                "INSERT INTO audit_events (event, client_id, user_id, family_id, detail) "
                "SELECT 'token.issued', client_id, user_id, family_id, "
                "CASE kind WHEN 1 THEN 'access_token' ELSE 'refresh_token' END FROM issued");
  c.prepare(stmt::kInsertAudit,
            "INSERT INTO audit_events (event, client_id, user_id, family_id, detail) "
            "SELECT ev, nullif(c, ''), nullif(u, ''), nullif(f, '')::uuid, dt "
            "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) "
            "AS x(ev, c, u, f, dt)");
  c.prepare(stmt::kInsertFamily,
            "INSERT INTO token_families (family_id, client_id, user_id, grant_type, created_at, "
            "expires_at) VALUES ($1::uuid, $2, $3, $4, " TS("$5::int8") ", " TS("$6::int8") ")");
  // Keeps the newest $3 live sessions of the user with the client; revokes
  // the rest and returns them.
  c.prepare(stmt::kEvictSessions,
            "UPDATE token_families SET revoked_at = now() WHERE family_id IN ("
            " SELECT family_id FROM token_families WHERE user_id = $1 AND client_id = $2"
            " AND revoked_at IS NULL AND expires_at > now()"
            " ORDER BY created_at DESC, family_id OFFSET $3) RETURNING family_id::text");
  // Every refresh of a session first takes its family row: racing uses of
  // one refresh token queue here, and locks are always taken family first,
  // then tokens (as revocation does), so they cannot deadlock.
  c.prepare(stmt::kLockFamilyOfToken,
            "SELECT f.family_id FROM token_families f JOIN tokens t ON t.family_id = f.family_id "
            "WHERE t.digest = decode($1, 'hex') FOR UPDATE OF f");
  c.prepare(stmt::kConsumeRefresh,
            string("UPDATE tokens t SET used_at = " TS("$3::int8") " WHERE t.digest = decode($1, 'hex') "
                   "AND t.kind = 2 AND t.client_id = $2 AND t.used_at IS NULL "
                   "AND t.revoked_at IS NULL AND t.expires_at > " TS("$3::int8") " RETURNING ") +
                kTokenColumns);
  c.prepare(stmt::kClassifyRefresh,
            "SELECT kind, client_id, coalesce(family_id::text, ''), used_at IS NOT NULL "
            "FROM tokens WHERE digest = decode($1, 'hex')");
  // A refresh rotation's writes in one round trip: the new tokens, the
  // family's new expiry and its "token.refreshed" audit row.
  c.prepare(stmt::kRecordRotation,
            string("WITH issued AS (") + kInsertTokenArrays +
                " RETURNING 1), extended AS (UPDATE token_families SET expires_at = " TS(
                    "$13::int8") " WHERE family_id = nullif($12, '')::uuid RETURNING 1) "
                "INSERT INTO audit_events (event, client_id, user_id, family_id, detail) "
                "VALUES ('token.refreshed', nullif($14, ''), nullif($15, ''), nullif($12, '')::uuid, '')");
  c.prepare(stmt::kFindToken, string("SELECT ") + kTokenColumns +
                                  ", coalesce(u.username, '') FROM tokens t "
                                  "LEFT JOIN users u ON u.id = t.user_id "
                                  "WHERE t.digest = decode($1, 'hex')");
  c.prepare(stmt::kRevokeToken,
            "UPDATE tokens SET revoked_at = now() WHERE digest = decode($1, 'hex') "
            "AND revoked_at IS NULL RETURNING client_id, coalesce(user_id, ''), "
            "coalesce(family_id::text, '')");
  c.prepare(stmt::kRevokeFamily,
            "UPDATE token_families SET revoked_at = now() WHERE family_id = $1::uuid "
            "AND revoked_at IS NULL RETURNING client_id, user_id");
  c.prepare(stmt::kRevokeFamilyTokens,
            "UPDATE tokens SET revoked_at = now() WHERE family_id = ANY($1::uuid[]) "
            "AND revoked_at IS NULL");
  c.prepare(stmt::kPurgeTokens,
            "DELETE FROM tokens WHERE digest IN (SELECT digest FROM tokens "
            "WHERE expires_at < " TS("$1::int8") " LIMIT $2)");
  c.prepare(stmt::kPurgeFamilies,
            "DELETE FROM token_families WHERE family_id IN (SELECT family_id FROM token_families "
            "WHERE expires_at < " TS("$1::int8") " LIMIT $2)");

  // Signing keys. Rotation takes a transaction-scoped advisory lock so that
  // replicas rotating at once serialise; the unique index on the active key
  // backs it up.
  c.prepare(stmt::kListKeys,
            "SELECT kid, algorithm, encode(public_key, 'hex'), encode(sealed_private_key, 'hex'), "
            US("created_at") ", " US("retired_at") ", " US("publish_until") " FROM signing_keys "
            "WHERE publish_until IS NULL OR publish_until > " TS("$1::int8") " "
            "ORDER BY created_at DESC, kid");
  c.prepare(stmt::kLockKeys, "SELECT pg_advisory_xact_lock(x'746f6b656e646b'::int8)");
  c.prepare(stmt::kActiveKid, "SELECT kid FROM signing_keys WHERE retired_at IS NULL");
  c.prepare(stmt::kRetireKey,
            "UPDATE signing_keys SET retired_at = now(), publish_until = now() + "
            "(greatest((SELECT coalesce(max(access_ttl_s), 0) FROM clients), 0) + $2::int8) "
            "* interval '1 second' WHERE kid = $1 AND retired_at IS NULL");
  c.prepare(stmt::kInsertKey,
            "INSERT INTO signing_keys (kid, algorithm, public_key, sealed_private_key, created_at) "
            "VALUES ($1, $2, decode($3, 'hex'), decode($4, 'hex'), " TS("$5::int8") ")");
  c.prepare(stmt::kPurgeKeys,
            "DELETE FROM signing_keys WHERE publish_until < " TS("$1::int8"));

  PrepareAuthorizationStatements(c);
  PrepareIdentityStatements(c);
}

}  // namespace tokend::storage::pg
