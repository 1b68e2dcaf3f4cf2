// The one place that mints tokens and records them, for every grant.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/token/token_cache.h"
#include "services/token/token_types.h"
#include "storage/ledger.h"

namespace tokend {

class TokenIssuer {
 public:
  TokenIssuer(storage::TokenStore& store, TokenCache& cache);

  // A token owned by the client itself (client_credentials): an access token
  // only, group-committed. Non-blocking: `done` runs after the commit.
  void IssueClientToken(const storage::ClientRecord& client, const std::vector<std::string>& scopes,
                        const std::string& audience, TokenCallback done);

  // A new user session (password, authorization_code): an access and a
  // refresh token in a new family, applying the client's session limit.
  absl::StatusOr<TokenResponse> OpenUserSession(const storage::ClientRecord& client,
                                                const std::string& user_id,
                                                const std::vector<std::string>& scopes,
                                                const std::string& audience,
                                                const std::string& grant_type);

  // Exchanges a refresh token (RFC 6749 §6): single use, new pair with fresh
  // expiry, scope narrowed or kept. invalid_grant when the token is unknown,
  // another client's, expired, revoked or already used (the last also
  // revokes its family, RFC 9700 §4.14.2); invalid_scope on widening.
  absl::StatusOr<TokenResponse> RotateRefreshToken(
      const storage::ClientRecord& client, const std::string& refresh_token,
      const std::optional<std::vector<std::string>>& requested_scopes);

 private:
  struct Minted {
    std::string token;
    storage::TokenRecord record;
  };
  Minted Mint(storage::TokenKind kind, const storage::ClientRecord& client,
              const std::string& user_id, const std::string& family_id, const std::string& scope,
              const std::string& audience, storage::Time now, int64_t ttl_seconds) const;
  void Remember(const std::vector<storage::TokenRecord>& records);

  storage::TokenStore& store_;
  TokenCache& cache_;
};

}  // namespace tokend
