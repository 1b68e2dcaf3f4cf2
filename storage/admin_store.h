// The ledger as operators query it: audit rows, the tokens of a user or a
// client, and revoking all of them in batches. The PostgreSQL implementation
// is storage/postgres/pg_admin_store.h.
//
// Error contract, as in storage/ledger.h: UNAVAILABLE when PostgreSQL cannot
// be reached or the call ran out of time; INTERNAL otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/records.h"

namespace tokend::storage {

// One audit_events row.
struct AuditEventRecord {
  int64_t id = 0;
  Time at{};
  std::string event;  // e.g. "token.issued", "family.revoked"
  std::string client_id;
  std::string user_id;
  std::string family_id;
  std::string detail;
};

// Audit rows newest first, on (at DESC, id DESC). Empty strings and lists
// filter nothing; the filters combine with AND.
struct AuditQuery {
  std::string client_id;
  std::string user_id;
  std::vector<std::string> events;  // any of these
  std::optional<Time> start;        // at >= start
  std::optional<Time> end;          // at < end
  // Keyset: only rows sorting after this one, i.e. (at, id) < (after_at, after_id).
  std::optional<std::pair<Time, int64_t>> after;
  int limit = 100;
};

// Whose tokens: a user (optionally only with one client), or a client.
// Exactly one of user_id / client_id alone, or both (that user with that
// client).
struct TokenOwner {
  std::string user_id;
  std::string client_id;
};

// Tokens newest first, on (issued_at DESC, jti DESC).
struct TokenQuery {
  TokenOwner owner;
  bool include_inactive = false;  // also revoked, expired and used refresh tokens
  std::optional<std::pair<Time, std::string>> after;  // (issued_at, jti) keyset
  int limit = 100;
};

// What one revocation batch changed, for the caller's caches.
struct RevokedBatch {
  std::vector<std::string> families;        // family ids (every token in them revoked)
  std::vector<std::string> token_digests;   // raw digests of revoked tokens outside sessions
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  virtual absl::StatusOr<std::vector<AuditEventRecord>> ListAuditEvents(const AuditQuery& q) = 0;
};

class TokenAdminStore {
 public:
  virtual ~TokenAdminStore() = default;

  // The owner's tokens (never their digests: TokenRecord::digest is empty).
  virtual absl::StatusOr<std::vector<TokenRecord>> ListTokens(const TokenQuery& q) = 0;

  // How many live sessions, and live tokens outside sessions (client
  // credentials, minted), the owner has now: what RevokeBatch will revoke.
  virtual absl::StatusOr<std::pair<int64_t, int64_t>> CountLive(const TokenOwner& owner) = 0;

  // Revokes up to `batch` of the owner's live sessions (with all their
  // tokens) in one transaction; once none is left, up to `batch` live tokens
  // outside sessions. One audit row per session / token (`detail` says by
  // whom), and the other replicas are told. An empty result: nothing left.
  virtual absl::StatusOr<RevokedBatch> RevokeBatch(const TokenOwner& owner, int batch,
                                                   const std::string& detail) = 0;
};

}  // namespace tokend::storage
