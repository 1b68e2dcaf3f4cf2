// Every SQL statement tokend runs at request time, prepared on each pooled
// connection. Names are constants so callers cannot misspell them.
#pragma once

#include <pqxx/pqxx>

namespace tokend::storage::pg {

namespace stmt {
inline constexpr char kInsertClient[] = "insert_client";
inline constexpr char kGetClient[] = "get_client";
inline constexpr char kListClients[] = "list_clients";
inline constexpr char kUpdateClient[] = "update_client";
inline constexpr char kDeleteClient[] = "delete_client";
inline constexpr char kDeleteClientTokens[] = "delete_client_tokens";
inline constexpr char kSetClientSecret[] = "set_client_secret";

inline constexpr char kInsertUser[] = "insert_user";
inline constexpr char kGetUser[] = "get_user";
inline constexpr char kGetUserByUsername[] = "get_user_by_username";
inline constexpr char kGetUserByEmail[] = "get_user_by_email";
inline constexpr char kListUsers[] = "list_users";
inline constexpr char kUpdateUser[] = "update_user";
inline constexpr char kSetPasswordHash[] = "set_password_hash";
inline constexpr char kDeleteUser[] = "delete_user";
inline constexpr char kLockUser[] = "lock_user";

inline constexpr char kInsertTokens[] = "insert_tokens";
inline constexpr char kInsertIssuedTokens[] = "insert_issued_tokens";
inline constexpr char kInsertAudit[] = "insert_audit";
inline constexpr char kInsertFamily[] = "insert_family";
inline constexpr char kEvictSessions[] = "evict_sessions";
inline constexpr char kLockFamilyOfToken[] = "lock_family_of_token";
inline constexpr char kConsumeRefresh[] = "consume_refresh";
inline constexpr char kClassifyRefresh[] = "classify_refresh";
inline constexpr char kRecordRotation[] = "record_rotation";
inline constexpr char kFindToken[] = "find_token";
inline constexpr char kRevokeToken[] = "revoke_token";
inline constexpr char kRevokeFamily[] = "revoke_family";
inline constexpr char kRevokeFamilyTokens[] = "revoke_family_tokens";
inline constexpr char kPurgeTokens[] = "purge_tokens";
inline constexpr char kPurgeFamilies[] = "purge_families";

inline constexpr char kListKeys[] = "list_keys";
inline constexpr char kLockKeys[] = "lock_keys";
inline constexpr char kActiveKid[] = "active_kid";
inline constexpr char kRetireKey[] = "retire_key";
inline constexpr char kInsertKey[] = "insert_key";
inline constexpr char kPurgeKeys[] = "purge_keys";
}  // namespace stmt

// Registers every statement above on `conn` (prepared lazily on first use).
void PrepareStatements(pqxx::connection& conn);

}  // namespace tokend::storage::pg
