#pragma once

#include "services/token/grants/grant_handler.h"
#include "services/token/token_issuer.h"

namespace tokend {

// RFC 6749 §4.4: the client obtains a token for itself; no refresh token
// (§4.4.3). Only confidential clients may use it.
class ClientCredentialsGrant final : public GrantHandler {
 public:
  explicit ClientCredentialsGrant(TokenIssuer& issuer) : issuer_(issuer) {}
  bool CanHandleAsync() const override { return true; }
  absl::string_view grant_type() const override { return "client_credentials"; }
  // Waits for HandleAsync.
  absl::StatusOr<TokenResponse> Handle(const AuthenticatedClient& client,
                                       const TokenRequest& request) override;
  bool HandleAsync(const AuthenticatedClient& client, const TokenRequest& request,
                   TokenCallback done) override;

 private:
  TokenIssuer& issuer_;
};

}  // namespace tokend
