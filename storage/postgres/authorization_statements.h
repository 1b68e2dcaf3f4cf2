// The authorization code flow's SQL (codes, login sessions, consents, login
// throttling), prepared beside statements.h's on each pooled connection.
#pragma once

#include <pqxx/pqxx>

namespace tokend::storage::pg {

namespace stmt {
inline constexpr char kInsertCode[] = "insert_code";
inline constexpr char kLockCode[] = "lock_code";
inline constexpr char kMarkCodeUsed[] = "mark_code_used";
inline constexpr char kInsertLoginSession[] = "insert_login_session";
inline constexpr char kFindLoginSession[] = "find_login_session";
inline constexpr char kDeleteLoginSession[] = "delete_login_session";
inline constexpr char kGetConsent[] = "get_consent";
inline constexpr char kUpsertConsent[] = "upsert_consent";
inline constexpr char kGetLoginFailures[] = "get_login_failures";
inline constexpr char kAddLoginFailure[] = "add_login_failure";
inline constexpr char kClearLoginFailures[] = "clear_login_failures";
inline constexpr char kPurgeCodes[] = "purge_codes";
inline constexpr char kPurgeLoginSessions[] = "purge_login_sessions";
inline constexpr char kPurgeLoginFailures[] = "purge_login_failures";
}  // namespace stmt

void PrepareAuthorizationStatements(pqxx::connection& conn);

}  // namespace tokend::storage::pg
