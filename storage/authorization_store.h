// The ledger's side of the authorization code flow (RFC 6749 §4.1): codes,
// browser login sessions, remembered consents and failed-guess counts. Same
// error contract as storage/ledger.h.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/failure_store.h"
#include "storage/ledger.h"
#include "storage/records.h"

namespace tokend::storage {

struct AuthorizationCodeRecord {
  std::string digest;  // raw SHA-256 of the code; the code itself is never stored
  std::string client_id;
  std::string user_id;
  std::string redirect_uri;
  bool redirect_uri_given = false;  // the authorization request named it
  std::string scope;
  std::string code_challenge;    // RFC 7636; empty: no PKCE
  std::string challenge_method;  // "S256" or "plain"
  std::string family_id;         // the session the exchange opens
  Time issued_at{};
  Time expires_at{};
};

enum class CodeOutcome {
  kExchanged,    // consumed; the session is committed
  kUnknown,      // no such code
  kWrongClient,  // issued to another client; nothing changed
  kExpired,      // nothing changed
  kReused,       // already exchanged: the session it opened is now revoked
};

struct CodeExchange {
  CodeOutcome outcome = CodeOutcome::kUnknown;
  std::vector<std::string> evicted_families;  // kExchanged: sessions over the limit
  std::string family_id;                       // kExchanged, kReused
};

struct LoginSessionRecord {
  std::string digest;  // raw SHA-256 of the cookie value
  std::string user_id;
  Time created_at{};
  Time expires_at{};
};

// Also holds the failed-guess counts (storage/failure_store.h).
class AuthorizationStore : public FailureStore {
 public:
  virtual ~AuthorizationStore() = default;

  virtual absl::Status SaveCode(const AuthorizationCodeRecord& code) = 0;

  // Atomically exchanges the code with `digest` presented by `client_id`.
  // When it is live, calls `mint(code)` inside the transaction (a non-OK
  // status rolls back and is returned as is, leaving the code unused), marks
  // it used and opens the session `mint` returned, at most `max_sessions`
  // per user and client (0 = no limit) as TokenStore::OpenSession does. A
  // second exchange revokes that session in a committed transaction
  // (RFC 6749 §4.1.2) and answers kReused.
  virtual absl::StatusOr<CodeExchange> ExchangeCode(
      const std::string& digest, const std::string& client_id, Time now, int max_sessions,
      const std::function<absl::StatusOr<NewSession>(const AuthorizationCodeRecord&)>& mint) = 0;

  virtual absl::Status SaveLoginSession(const LoginSessionRecord& session) = 0;
  // NOT_FOUND when unknown or expired at `now`.
  virtual absl::StatusOr<LoginSessionRecord> FindLoginSession(const std::string& digest,
                                                              Time now) = 0;
  virtual absl::Status DeleteLoginSession(const std::string& digest) = 0;

  // The scopes the user has consented to for the client; nullopt when the
  // user never consented to it.
  virtual absl::StatusOr<std::optional<std::vector<std::string>>> ConsentedScopes(const std::string& user_id,
                                                                   const std::string& client_id) = 0;
  // Adds `scopes` to what the user has consented to for the client.
  virtual absl::Status SaveConsent(const std::string& user_id, const std::string& client_id,
                                   const std::vector<std::string>& scopes, Time now) = 0;

  // Deletes codes, sessions and failure counts that ended before `before`.
  virtual absl::StatusOr<int> PurgeExpired(Time before) = 0;
};

}  // namespace tokend::storage
