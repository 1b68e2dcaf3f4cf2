// The token ledger's interfaces, one per concern. The PostgreSQL
// implementation lives in storage/postgres/; the core sees only these.
//
// Error contract for every method: UNAVAILABLE (oauth temporarily_unavailable)
// when PostgreSQL cannot be reached or the call ran out of time; NOT_FOUND /
// ALREADY_EXISTS where stated; INTERNAL for anything else. No method leaks
// database text into the status message.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/records.h"

namespace tokend::storage {

class ClientStore {
 public:
  virtual ~ClientStore() = default;
  // ALREADY_EXISTS if the client_id is taken.
  virtual absl::Status CreateClient(const ClientRecord& client) = 0;
  // NOT_FOUND if there is no such client.
  virtual absl::StatusOr<ClientRecord> GetClient(const std::string& client_id) = 0;
  virtual absl::StatusOr<std::vector<ClientRecord>> ListClients(const PageRequest& page) = 0;
  // Replaces every field but the secret and created_at. NOT_FOUND if absent.
  virtual absl::Status UpdateClient(const ClientRecord& client) = 0;
  // NOT_FOUND if absent. Deletes the client's tokens and sessions with it.
  virtual absl::Status DeleteClient(const std::string& client_id) = 0;
  // NOT_FOUND if absent.
  virtual absl::Status SetClientSecretDigest(const std::string& client_id,
                                             const std::string& digest) = 0;
};

class UserStore {
 public:
  virtual ~UserStore() = default;
  // ALREADY_EXISTS if the username is taken.
  virtual absl::Status CreateUser(const UserRecord& user) = 0;
  // NOT_FOUND if absent.
  virtual absl::StatusOr<UserRecord> GetUser(const std::string& id) = 0;
  virtual absl::StatusOr<UserRecord> GetUserByUsername(const std::string& username) = 0;
  // Compared case-insensitively; NOT_FOUND if no user has that (non-empty) email.
  virtual absl::StatusOr<UserRecord> GetUserByEmail(const std::string& email) = 0;
  virtual absl::StatusOr<std::vector<UserRecord>> ListUsers(const PageRequest& page) = 0;
  // Replaces username, email, full_name, nickname and the identity profile
  // fields (confirmed_email_at, date_deletion_requested, avatar_url).
  // NOT_FOUND / ALREADY_EXISTS.
  virtual absl::Status UpdateUser(const UserRecord& user) = 0;
  virtual absl::Status SetPasswordHash(const std::string& id, const std::string& hash) = 0;
  // NOT_FOUND if absent. Deletes the user's tokens and sessions with it.
  virtual absl::Status DeleteUser(const std::string& id) = 0;
};

// A new session (token family) opened by a user grant.
struct NewSession {
  std::string family_id;
  std::string client_id;
  std::string user_id;
  std::string grant_type;
  Time created_at{};
  Time expires_at{};  // the refresh token's expiry
  std::vector<TokenRecord> tokens;
};

// What RotateRefreshToken's mint callback hands back: the tokens replacing
// the presented refresh token, inside the same transaction.
struct Rotation {
  std::vector<TokenRecord> tokens;
  Time family_expires_at{};
};

enum class RefreshOutcome {
  kRotated,       // consumed, the new tokens are committed
  kUnknown,       // no such refresh token (or not a refresh token)
  kWrongClient,   // issued to another client; nothing changed
  kInactive,      // expired or revoked; nothing changed
  kReused,        // already used: its whole family is now revoked
};

struct RefreshResult {
  RefreshOutcome outcome = RefreshOutcome::kUnknown;
  std::string family_id;  // set for kRotated and kReused
};

class TokenStore {
 public:
  virtual ~TokenStore() = default;

  // Records tokens that open no session (client_credentials) with a
  // `token.issued` audit row each. Concurrent calls are group-committed;
  // `done` runs (on a writer thread) only once the rows are durably
  // committed, or with the failure. Never blocks the caller.
  virtual void RecordTokens(std::vector<TokenRecord> tokens,
                            std::function<void(absl::Status)> done) = 0;

  // Opens a session in one transaction: locks the user, revokes the oldest
  // live sessions of this user with this client so that at most
  // `max_sessions` stay live counting the new one (0 = no limit), records the
  // tokens and audit rows. Returns the evicted family ids.
  virtual absl::StatusOr<std::vector<std::string>> OpenSession(const NewSession& session,
                                                               int max_sessions) = 0;

  // Atomically consumes the refresh token with `digest` presented by
  // `client_id`. When it is live, calls `mint(old_token)` inside the
  // transaction; a non-OK status from `mint` rolls everything back and is
  // returned as is. A second use of a consumed token revokes its family in a
  // committed transaction and answers kReused.
  virtual absl::StatusOr<RefreshResult> RotateRefreshToken(
      const std::string& digest, const std::string& client_id, Time now,
      const std::function<absl::StatusOr<Rotation>(const TokenRecord&)>& mint) = 0;

  // The token with that digest, live or not; NOT_FOUND if unknown.
  virtual absl::StatusOr<TokenState> FindToken(const std::string& digest) = 0;

  // Revokes one token (idempotent).
  virtual absl::Status RevokeToken(const std::string& digest, const std::string& reason) = 0;

  // Revokes a session and every token in it (idempotent).
  virtual absl::Status RevokeFamily(const std::string& family_id, const std::string& reason) = 0;

  // Deletes up to `batch` rows that expired before `before`; returns how many.
  virtual absl::StatusOr<int> PurgeExpired(Time before, int batch) = 0;
};

// JWT signing keys, shared by every replica through the ledger.
class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // Every key still published at `now` (the active key, and retired keys
  // whose publish_until is later), newest first.
  virtual absl::StatusOr<std::vector<SigningKeyRecord>> ListKeys(Time now) = 0;

  // Makes `next` the active key, serialised across replicas: only if the
  // active key is still `expected_active_kid` ("" = there is none). The old
  // key is retired now and stays published for the longest access-token
  // lifetime of any client plus `publish_margin_seconds`. Returns false,
  // changing nothing, when another replica changed the active key first.
  virtual absl::StatusOr<bool> RotateKey(const SigningKeyRecord& next,
                                         const std::string& expected_active_kid,
                                         int64_t publish_margin_seconds) = 0;

  // Deletes keys whose publish_until is before `before`; returns how many.
  virtual absl::StatusOr<int> PurgeKeys(Time before) = 0;
};

// One audit_events row that belongs to no other write (limits, lockouts).
struct AuditEvent {
  std::string event;      // e.g. "lockout.started", "rate_limit.exceeded"
  std::string client_id;  // "" when none
  std::string detail;
};

class AuditLog {
 public:
  virtual ~AuditLog() = default;
  // Queues the row and returns at once (safe on a reactor thread); it is
  // written in the background. Best effort: a row is dropped, and counted,
  // when the queue is full or the ledger refuses it.
  virtual void Append(AuditEvent event) = 0;
};

// The whole ledger.
struct Ledger {
  ClientStore* clients = nullptr;
  UserStore* users = nullptr;
  TokenStore* tokens = nullptr;
  KeyStore* keys = nullptr;
};

}  // namespace tokend::storage
