#include "services/token/grants/refresh_token_grant.h"

#include "services/token/oauth_error.h"

namespace tokend {

absl::StatusOr<TokenResponse> RefreshTokenGrant::Handle(const AuthenticatedClient& client,
                                                        const TokenRequest& request) {
  if (request.refresh_token.empty()) {
    return oauth::InvalidRequest("The refresh_token grant needs refresh_token.");
  }
  return issuer_.RotateRefreshToken(client.record(), request.refresh_token, request.scopes,
                                    request.format);
}

}  // namespace tokend
