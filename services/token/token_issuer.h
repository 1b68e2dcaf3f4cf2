// The one place that mints tokens and records them, for every grant. Access
// tokens are minted through the format the request (or the client's default)
// picks — opaque or JWT (token_format/) — and recorded by the SHA-256 of the
// token string either way; refresh tokens are always opaque.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/token/token_cache.h"
#include "services/token/token_format/token_formats.h"
#include "services/token/token_types.h"
#include "storage/ledger.h"

namespace tokend {

class TokenIssuer {
 public:
  TokenIssuer(storage::TokenStore& store, TokenCache& cache,
              const TokenFormats& formats = TokenFormats::OpaqueOnly());

  // Every method takes the requested access-token `format` (kDefault: the
  // client's default) and answers invalid_request when it is not offered.

  // A token owned by the client itself (client_credentials): an access token
  // only, group-committed. Non-blocking: `done` runs after the commit.
  void IssueClientToken(const storage::ClientRecord& client, const std::vector<std::string>& scopes,
                        const std::string& audience, TokenFormat format, TokenCallback done);

  // A new user session (password, authorization_code): an access and a
  // refresh token in a new family, applying the client's session limit.
  absl::StatusOr<TokenResponse> OpenUserSession(const storage::ClientRecord& client,
                                                const std::string& user_id,
                                                const std::vector<std::string>& scopes,
                                                const std::string& audience,
                                                const std::string& grant_type, TokenFormat format);

  // A user session minted but not yet recorded, for a caller that records
  // `session` inside its own transaction (a code exchange) and then answers
  // `response`.
  struct PendingSession {
    storage::NewSession session;
    TokenResponse response;
  };
  absl::StatusOr<PendingSession> MintSession(const storage::ClientRecord& client,
                                             const std::string& user_id,
                                             const std::vector<std::string>& scopes,
                                             const std::string& audience,
                                             const std::string& grant_type, TokenFormat format,
                                             const std::string& family_id, storage::Time now);

  // Drops cached state of sessions that were ended (evicted, revoked).
  void ForgetFamilies(const std::vector<std::string>& family_ids);
  // An access token for `user_id` with `client` expiring at `expires_at`
  // (whole seconds), minted by an operator for a system account (seed 002:
  // a token "somewhere in the year 2999"). No refresh token and no session,
  // so no session limit evicts it; revocable like any token. Blocks until the
  // row is durably recorded. invalid_request when `expires_at` has passed.
  absl::StatusOr<TokenResponse> IssueUserTokenUntil(const storage::ClientRecord& client,
                                                    const std::string& user_id,
                                                    const std::vector<std::string>& scopes,
                                                    storage::Time expires_at, TokenFormat format);

  // Exchanges a refresh token (RFC 6749 §6): single use, new pair with fresh
  // expiry, scope narrowed or kept. invalid_grant when the token is unknown,
  // another client's, expired, revoked or already used (the last also
  // revokes its family, RFC 9700 §4.14.2); invalid_scope on widening.
  absl::StatusOr<TokenResponse> RotateRefreshToken(
      const storage::ClientRecord& client, const std::string& refresh_token,
      const std::optional<std::vector<std::string>>& requested_scopes, TokenFormat format);

 private:
  struct Minted {
    std::string token;
    storage::TokenRecord record;
  };
  // The ledger row of a new token, without its digest.
  static storage::TokenRecord NewRecord(storage::TokenKind kind, const storage::ClientRecord& client,
                                        const std::string& user_id, const std::string& family_id,
                                        const std::string& scope, const std::string& audience,
                                        storage::Time now, int64_t ttl_seconds);
  absl::StatusOr<Minted> MintAccess(AccessTokenFormat& format, const storage::ClientRecord& client,
                                    const std::string& user_id, const std::string& family_id,
                                    const std::string& scope, const std::string& audience,
                                    storage::Time now) const;
  static Minted MintRefresh(const storage::ClientRecord& client, const std::string& user_id,
                            const std::string& family_id, const std::string& scope,
                            const std::string& audience, storage::Time now);
  absl::StatusOr<AccessTokenFormat*> FormatFor(const storage::ClientRecord& client,
                                               TokenFormat requested) const;
  void Remember(const std::vector<storage::TokenRecord>& records);

  storage::TokenStore& store_;
  TokenCache& cache_;
  const TokenFormats& formats_;
};

}  // namespace tokend
